"""A dynamic-provider host process (`python -m pulumi.dynamic`, as the engine starts it),
driven over gRPC as the engine drives it."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import dill
import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc

HERE = Path(__file__).resolve().parent


class Host:
    """One host process; `command` is how it starts (the SDK's module by default), `env`
    what it gets in its environment besides ours."""

    def __init__(self, tmp_path: Path, command: Optional[list[str]] = None, env: Optional[dict[str, str]] = None):
        import probe_provider

        self.stderr_path = tmp_path / "host.stderr"
        env = dict(os.environ, **(env or {}), PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(
                command or [sys.executable, "-m", "pulumi.dynamic"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        assert self.process.stdout is not None
        port = self.process.stdout.readline().decode().strip()
        assert port.isdigit(), f"the host printed no port: {port!r}; stderr: {self.stderr()}"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.provider = base64.b64encode(dill.dumps(probe_provider.ProbeProvider(), recurse=True)).decode()

    def configure(self, config: dict[str, str]) -> None:
        args = struct_pb2.Struct()
        args.update(config)
        self.stub.Configure(proto.ConfigureRequest(args=args), timeout=30)

    def create(self, index: int, **props: Any) -> dict[str, Any]:
        """A Create call, as the engine makes it; the outputs the provider returned."""
        properties = struct_pb2.Struct()
        properties.update({"__provider": self.provider, "index": index, **props})
        urn = f"urn:pulumi:test::probe::pulumi-python:dynamic:Resource::probe-{index}"
        response = self.stub.Create(proto.CreateRequest(urn=urn, properties=properties), timeout=60)
        outputs = dict(response.properties)
        outputs["requested_urn"] = urn
        return outputs

    def update(self, index: int, **props: Any) -> dict[str, Any]:
        """An Update call, as the engine makes it; the outputs the provider returned."""
        news = struct_pb2.Struct()
        news.update({"__provider": self.provider, "index": index, **props})
        urn = f"urn:pulumi:test::probe::pulumi-python:dynamic:Resource::probe-{index}"
        request = proto.UpdateRequest(id=f"probe-{index}", urn=urn, olds=struct_pb2.Struct(), news=news)
        return dict(self.stub.Update(request, timeout=60).properties)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()
