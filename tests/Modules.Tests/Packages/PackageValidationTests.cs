using Colabo.Config.Contracts.V1;
using Colabo.Config.Modules.Packages;
using static Colabo.Config.Modules.Tests.Packages.PackageResources;

namespace Colabo.Config.Modules.Tests.Packages;

public sealed class PackageValidationTests
{
    private readonly PackageModule _module = new();

    [Fact]
    public void A_plain_package_is_valid() => Assert.Empty(_module.Validate(Package("nginx", version: "1.22.1-9")));

    [Fact]
    public void Latest_with_a_pinned_version_is_rejected_with_both_named()
    {
        var error = Assert.Single(_module.Validate(Package("nginx", Ensure.Latest, "1.22.1-9")));
        Assert.Contains("latest", error, StringComparison.Ordinal);
        Assert.Contains("1.22.1-9", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dnf_provider_is_reserved_and_says_so()
    {
        var resource = Package("nginx");
        resource.Package.Provider = "dnf";

        Assert.Contains("reserved", Assert.Single(_module.Validate(resource)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nginx")]
    [InlineData("a")]
    [InlineData("nginx;rm -rf /")]
    public void Names_apt_would_not_accept_are_rejected(string name) => Assert.NotEmpty(_module.Validate(Package(name)));

    [Fact]
    public void A_running_ensure_does_not_apply_to_packages() => Assert.NotEmpty(_module.Validate(Package("nginx", Ensure.Running)));
}
