// Policy packs for engines since v3.221, in the sdk/v3 v3.79.0 Python language host: a file
// that toolchain/install-pulumi.sh adds to a copy of the host's package, whose main.go gets
// langhost-policy-packs.patch (RunPlugin hands such a request to runPolicyPack).
//
// Those engines start a policy pack whose runtime has a language host through the host's
// RunPlugin, describing the pack in two fields that this version's RunPluginRequest lacks,
// so they arrive as unknown fields: 5 `info` (a ProgramInfo: 1 root_directory,
// 2 program_directory, 4 options) and 6 `kind` ("analyzer" for a policy pack). This host
// would run the request's (empty) `program`: the stack program's directory. A pack runs
// instead as newer hosts run it, and as this SDK's pulumi-analyzer-policy-python shim ran it
// for older engines: `python -u -m pulumi.policy <args> <pack directory>`, in the pack's
// directory, in the pack's `virtualenv` (relative to the pack) when it names one.

package main

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	runPluginInfoField     protowire.Number = 5
	runPluginKindField     protowire.Number = 6
	programInfoRootField   protowire.Number = 1
	programInfoDirField    protowire.Number = 2
	programInfoOptionField protowire.Number = 4
	analyzerPluginKind                      = "analyzer"
)

type policyPack struct {
	root, directory, virtualenv string
}

// newerPolicyPackRequest reads the pack that a newer engine's request describes, if it is one.
func newerPolicyPackRequest(req *pulumirpc.RunPluginRequest) (policyPack, bool) {
	var pack policyPack
	var kind string
	var options []byte
	eachBytesField(req.ProtoReflect().GetUnknown(), func(field protowire.Number, value []byte) {
		switch field {
		case runPluginKindField:
			kind = string(value)
		case runPluginInfoField:
			eachBytesField(value, func(field protowire.Number, value []byte) {
				switch field {
				case programInfoRootField:
					pack.root = string(value)
				case programInfoDirField:
					pack.directory = string(value)
				case programInfoOptionField:
					options = value
				}
			})
		}
	})
	if kind != analyzerPluginKind || pack.directory == "" {
		return pack, false
	}
	if pack.root == "" {
		pack.root = pack.directory
	}
	var parsed structpb.Struct
	if proto.Unmarshal(options, &parsed) == nil {
		pack.virtualenv = parsed.GetFields()["virtualenv"].GetStringValue()
	}
	return pack, true
}

// eachBytesField calls visit with each length-delimited field of an encoded message.
func eachBytesField(encoded []byte, visit func(protowire.Number, []byte)) {
	for len(encoded) > 0 {
		field, kind, n := protowire.ConsumeTag(encoded)
		if n < 0 {
			return
		}
		encoded = encoded[n:]
		if kind == protowire.BytesType {
			value, m := protowire.ConsumeBytes(encoded)
			if m < 0 {
				return
			}
			visit(field, value)
			encoded = encoded[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(field, kind, encoded)
		if m < 0 {
			return
		}
		encoded = encoded[m:]
	}
}

// runPolicyPack runs the pack through this host's own RunPlugin, as a request it knows: the
// command line `python <program> <args>` becomes `python -u -m pulumi.policy <args> <pack>`,
// in the pack's directory and with the pack's virtualenv.
func (host *pythonLanguageHost) runPolicyPack(
	pack policyPack, req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	packHost := *host
	packHost.virtualenv = pack.virtualenv
	packHost.virtualenvPath = resolveVirtualEnvironmentPath(pack.root, pack.virtualenv)
	known := proto.Clone(req).(*pulumirpc.RunPluginRequest) //nolint:forcetypeassert // a clone has its type
	known.ProtoReflect().SetUnknown(nil)
	known.Program = "-u"
	known.Args = append(append([]string{"-m", "pulumi.policy"}, req.Args...), pack.directory)
	known.Pwd = pack.directory
	return packHost.RunPlugin(known, server)
}
