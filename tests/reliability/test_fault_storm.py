"""A fault storm: rounds of `up` (with edits), `refresh` and `destroy` under random injected
faults (503, 429, cut connections, answers slower than the client's timeout) on every kind
of call, with a schedule made by hand that the program also declares. Counted after every
run: schedules lost (in the state but gone from the service, or deleted though still
declared) and schedules adopted wrongly (the hand-made one, or any id the stack did not
make, in the state). Both must stay 0. After each round's failed `up`, the program is
reverted first (the service must then be as that program says), then made again."""

from __future__ import annotations

import random
from collections import Counter

from testkit.emulator_process import Emulator
from testkit.pulumi_project import PulumiProject
from testkit.schedules import TEAM

ROUNDS = 4
HAND_MADE = "Made by hand"
ROTATION = {"name": "weekly", "type": "weekly", "start_date": "2026-01-05T09:00:00+01:00",
            "participants": [{"type": "team", "id": TEAM}]}


def resource(name: str) -> str:
    return name.lower().replace(" ", "_")


def rotations(round_number: int) -> list[dict]:
    """Each round edits the rotations too: an update is several requests, and may fail halfway."""
    chosen = [{**ROTATION, "length": round_number + 1}]
    if round_number % 2:
        chosen.append({**ROTATION, "name": "daily", "type": "daily"})
    return chosen


def program(round_number: int, names: list[str], *, with_hand_made: bool) -> dict[str, dict]:
    declared = {resource(name): {"name": name, "team_id": TEAM, "description": f"round {round_number}",
                                 "rotations": rotations(round_number)} for name in names}
    if with_hand_made:
        declared["hand"] = {"name": HAND_MADE, "team_id": TEAM}  # always refused: not this stack's
    return declared


def inject(emulator: Emulator, rng: random.Random) -> None:
    for _ in range(3):
        method = rng.choice(["GET", "POST", "PATCH", "DELETE"])
        action = rng.choice(["status", "status", "cut", "delay"])
        spec = {"method": method, "action": action, "count": rng.randint(1, 2)}
        if action == "status":
            spec.update(status=rng.choice([429, 502, 503]), retry_after=0)
        if action == "delay":
            spec["delay"] = 1.5  # the client waits 1 s
        emulator.add_fault(**spec)


def test_a_storm_of_faults_loses_nothing_and_adopts_nothing(project: PulumiProject, emulator: Emulator) -> None:
    rng = random.Random(11)
    hand_made = emulator.http.post(f"{emulator.api_url}/schedules", auth=emulator.admin_auth, timeout=10,
                                   json={"name": HAND_MADE, "teamId": TEAM, "description": "by hand"}).json()
    figures = Counter()
    pool = [f"Storm {i}" for i in range(8)]

    def account() -> None:
        emulator.clear_faults()  # the faults left over would hit these checks
        emulator.wait_until_idle()
        remote = {s["id"]: s for s in emulator.schedules()}
        state = {name: r["id"] for name, r in project.resources().items()}
        figures["runs"] += 1
        figures["lost"] += sum(1 for sid in state.values() if sid not in remote)
        figures["adopted wrongly"] += sum(1 for sid in state.values() if sid == hand_made["id"])
        figures["duplicates"] += sum(n - 1 for n in Counter(s["name"] for s in remote.values()).values() if n > 1)
        assert remote[hand_made["id"]]["description"] == "by hand"  # never touched

    def converge(round_number: int, names: list[str]) -> None:
        """`up` of that round's program, without faults, makes the service hold exactly it."""
        project.write_schedules(program(round_number, names, with_hand_made=False))
        result = project.pulumi("up", "--yes", "--skip-preview", check=False)
        account()
        assert result.returncode == 0, result.stdout[-2500:]
        remote = Counter(s["name"] for s in emulator.schedules())
        assert remote == Counter([*names, HAND_MADE]), result.stdout[-2500:]  # every declared one once, no other
        state = project.resources()
        assert set(state) == {resource(name) for name in names}
        held = {(s["description"], tuple(sorted((r["name"], r["length"]) for r in s.get("rotations") or [])))
                for s in emulator.schedules() if s["name"] != HAND_MADE}
        wanted = tuple(sorted((r["name"], r.get("length", 1)) for r in rotations(round_number)))
        assert held <= {(f"round {round_number}", wanted)}, result.stdout[-2500:]

    names: list[str] = []
    for round_number in range(ROUNDS):
        previous = names
        names = rng.sample(pool, rng.randint(3, 6))
        if previous and not set(names) & set(previous):
            names.append(rng.choice(previous))  # at least one schedule is updated
        project.write_schedules(program(round_number, names, with_hand_made=True))
        inject(emulator, rng)
        # And one update fails halfway for sure: its schedule PATCH lands, a rotation PATCH fails for good.
        emulator.add_fault(method="PATCH", path="/rotations/", action="status", status=500)
        result = project.pulumi("up", "--yes", "--skip-preview", "--continue-on-error", check=False)
        account()
        assert result.returncode != 0 and "hand" not in project.resources()  # refused, whatever the faults
        emulator.clear_faults()
        if round_number:
            converge(round_number - 1, previous)  # the change is reverted: the service is as it was
        converge(round_number, names)  # then made again: the rerun finishes the job

        inject(emulator, rng)
        project.pulumi("refresh", "--yes", "--skip-preview", check=False)
        account()
        emulator.clear_faults()

    inject(emulator, rng)
    project.pulumi("destroy", "--yes", "--skip-preview", check=False)
    account()
    emulator.clear_faults()
    project.pulumi("destroy", "--yes", "--skip-preview")
    account()
    assert project.resources() == {}
    assert [s["id"] for s in emulator.schedules()] == [hand_made["id"]]
    print(f"fault storm: {dict(figures)}")
    assert figures["runs"] == 4 * ROUNDS + 1
    assert figures["lost"] == figures["adopted wrongly"] == figures["duplicates"] == 0
