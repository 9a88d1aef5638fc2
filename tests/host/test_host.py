"""pulumi_jsmops.host: the SDK's dynamic-provider host, adjusted, as the engine drives it
over gRPC; and left as it is when the SDK is not what it expects."""

from __future__ import annotations

from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from probe_provider import SKIP_INSTALL
from provider_host import Host
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, status_pb2

from pulumi_jsmops.dynamic import host

CREDENTIALS = {"jsmops:cloudId": "local", "jsmops:email": "a@example.com", "jsmops:apiToken": "t"}


def create_all(dynamic_host: Host, count: int, **props: object) -> list[dict[str, object]]:
    with ThreadPoolExecutor(count) as engine:
        return list(engine.map(lambda i: dynamic_host.create(i, **props), range(count)))


def test_calls_in_flight_reach_max_concurrency(dynamic_host: Host) -> None:
    dynamic_host.configure({**CREDENTIALS, "jsmops:maxConcurrency": "12"})
    # 14 calls at once: the SDK's 4 workers take the first ones, the first call lifts the cap.
    outputs = create_all(dynamic_host, 14, gate=12)
    assert max(o["peak"] for o in outputs) == 12
    assert {(o["pool"], o["workers"]) for o in outputs} == {("ThreadPoolExecutor", 12)}


def test_max_concurrency_defaults_without_credentials(dynamic_host: Host) -> None:
    dynamic_host.configure({})
    default = host.max_concurrency(lambda key: None)
    assert default > 4
    outputs = create_all(dynamic_host, default, gate=default)
    assert max(o["peak"] for o in outputs) == default


def test_current_urn_is_the_served_request(dynamic_host: Host) -> None:
    dynamic_host.configure(CREDENTIALS)
    first = dynamic_host.create(0)  # served before `install` ran: found on the stack
    later = create_all(dynamic_host, 6)
    for outputs in [first, *later]:
        assert outputs["urn"] == outputs["requested_urn"]


def test_own_errors_reach_the_engine_as_their_message(dynamic_host: Host) -> None:
    dynamic_host.configure(CREDENTIALS)
    dynamic_host.create(0)
    with pytest.raises(grpc.RpcError) as ours:
        dynamic_host.create(1, fail="ours")
    assert ours.value.code() == grpc.StatusCode.UNKNOWN
    assert ours.value.details() == "probe failure of urn:pulumi:test::probe::pulumi-python:dynamic:Resource::probe-1"
    # Any other exception is left to grpc, which names it a failure of the application.
    with pytest.raises(grpc.RpcError) as other:
        dynamic_host.create(2, fail="other")
    assert other.value.details().startswith("Exception calling application: probe failure of")
    dynamic_host.stop()
    log = dynamic_host.stderr()
    assert "probe-1" not in log
    assert "Traceback" in log and "ValueError: probe failure" in log


def test_own_errors_of_calls_taken_before_install(dynamic_host: Host) -> None:
    dynamic_host.configure(CREDENTIALS)
    with pytest.raises(grpc.RpcError) as first:  # this call runs `install`
        dynamic_host.create(0, fail="ours")
    assert first.value.details() == "probe failure of urn:pulumi:test::probe::pulumi-python:dynamic:Resource::probe-0"
    dynamic_host.stop()
    assert "probe-0" not in dynamic_host.stderr()


def test_a_partial_update_hands_the_engine_what_landed(dynamic_host: Host) -> None:
    dynamic_host.configure(CREDENTIALS)
    assert dynamic_host.update(0) == {"landed": False, "__provider": dynamic_host.provider}
    with pytest.raises(grpc.RpcError) as partial:
        dynamic_host.update(1, fail="partial")
    assert partial.value.code() == grpc.StatusCode.UNKNOWN
    assert partial.value.details().startswith("probe failure; the update of schedule probe-1 stopped there.")
    assert "run `pulumi up` again" in partial.value.details()
    # The engine reads the partial state from the status details (pulumi's provider_plugin.go).
    [(_, details)] = [(k, v) for k, v in partial.value.trailing_metadata() if k == "grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    [detail] = status.details
    failed = provider_pb2.ErrorResourceInitFailed()
    assert detail.Unpack(failed)
    assert failed.id == "probe-1" and list(failed.reasons) == [partial.value.details()]
    assert dict(failed.properties) == {"landed": True, "__provider": dynamic_host.provider}
    assert failed.inputs["fail"] == "partial"


def test_a_partial_update_without_the_adjusted_host_says_to_refresh(tmp_path: Path) -> None:
    dynamic_host = Host(tmp_path, env={SKIP_INSTALL: "1"})
    try:
        dynamic_host.configure(CREDENTIALS)
        with pytest.raises(grpc.RpcError) as partial:
            dynamic_host.update(1, fail="partial")
        assert "run `pulumi refresh` before the next `pulumi up`" in partial.value.details()
        assert not [k for k, _ in partial.value.trailing_metadata() or () if k == "grpc-status-details-bin"]
    finally:
        dynamic_host.stop()


def test_changed_sdk_host_is_left_as_it_is(changed_sdk_host: Host) -> None:
    changed_sdk_host.configure({**CREDENTIALS, "jsmops:maxConcurrency": "12"})
    outputs = create_all(changed_sdk_host, 4, gate=4)
    assert {o["pool"] for o in outputs} == {"OtherExecutor"}  # not a ThreadPoolExecutor: not touched
    assert max(o["peak"] for o in outputs) == 4
    # what does not depend on the pool still works
    assert all(o["urn"] == o["requested_urn"] for o in outputs)
    with pytest.raises(grpc.RpcError) as ours:
        changed_sdk_host.create(9, fail="ours")
    assert ours.value.details().startswith("probe failure of")


@pytest.fixture
def server() -> grpc.Server:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider_pb2_grpc.ResourceProviderServicer(), server)
    yield server
    server.stop(None)


def test_finds_the_provider_server_only(server: grpc.Server) -> None:
    other = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    try:
        assert host.find_server() is server
    finally:
        other.stop(None)


def test_no_server_without_grpc_server_class(server: grpc.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from grpc import _server

    monkeypatch.delattr(_server, "_Server")
    assert host.find_server() is None


def test_worker_cap_is_never_lowered(server: grpc.Server) -> None:
    assert host.lift_worker_cap(server, 10)
    assert host.lift_worker_cap(server, 6)
    assert server._state.thread_pool._max_workers == 10


def test_registered_method_handlers_are_left_as_they_are(server: grpc.Server) -> None:
    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: None)
    server.add_registered_method_handlers("pulumirpc.ResourceProvider", {"Create": handler})
    assert not host.report_own_errors(server)
    assert host.report_own_errors(grpc_server_with_generic_handlers_only()) is True


def grpc_server_with_generic_handlers_only() -> grpc.Server:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider_pb2_grpc.ResourceProviderServicer(), server)
    return server


def test_install_without_a_host_does_nothing(tmp_path: Path) -> None:
    host.install()  # the pytest process serves no provider: nothing to adjust, nothing raised
    assert host.current_urn() is None
