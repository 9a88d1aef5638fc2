"""The test harness that the tests (tests/) and the benchmarks (bench/) share: the emulator
as a process, throwaway Pulumi projects driven through the real CLI, the pytest fixtures
several test folders use (`fixtures.py`, loaded by tests/conftest.py), a user's own project
with the wheel, the API contract's structure and its checks, example schedules, stopping a
process."""
