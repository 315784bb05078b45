using Colabo.Config.TestSupport;

namespace Colabo.Config.Modules.Tests.Services;

/// <summary>One booted systemd container shared by the tests of a class (each test uses its own unit names).</summary>
public sealed class SystemdContainerFixture : IAsyncLifetime
{
    public NspawnContainer Container { get; private set; } = null!;

    public async Task InitializeAsync() => Container = await NspawnContainer.StartAsync();

    public async Task DisposeAsync() => await Container.DisposeAsync();
}
