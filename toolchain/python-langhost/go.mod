// Builds the Pulumi Python language host (pulumi-language-python).
// Since sdk v3.80.0 the host is a module of its own
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) that is never
// tagged and that the Go module proxy reachable here does not serve, so the host is
// built from sdk/v3 v3.79.0, the last release that ships it as a package of sdk/v3.
// It drives the exec shim of the pinned SDK (see install-pulumi.sh).
module pulumi-jsmops/toolchain/python-langhost

go 1.24

tool github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python

require github.com/pulumi/pulumi/sdk/v3 v3.79.0
