// Builds the Pulumi CLI from its Go module at one pinned version.
// pkg/v3's own go.mod carries replace directives, which `go install pkg@version`
// refuses, so the CLI is built from this small module that requires it instead.
// The version here is the single source of truth: install-pulumi.sh reads it.
module pulumi-jsmops/toolchain/pulumi-cli

go 1.25.11

// Mirrors the one non-local replace in pkg/v3's go.mod (replaces only apply in the main module).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

require (
	github.com/pulumi/pulumi/pkg/v3 v3.259.0
	github.com/pulumi/pulumi/sdk/v3 v3.259.0
)
