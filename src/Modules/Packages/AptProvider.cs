using System.Collections.Concurrent;
using Colabo.Config.Engine.Host;
using Colabo.Config.Engine.Modules;

namespace Colabo.Config.Modules.Packages;

/// <summary>
/// apt/dpkg. Reads use <c>dpkg-query --admindir=ROOT/var/lib/dpkg</c> (no chroot needed, so a read
/// works on any root); changes run <c>chroot ROOT apt-get ...</c> on a sandbox root, plain
/// <c>apt-get</c> on "/". Maintainer scripts therefore run inside the sandbox, never on the host.
/// </summary>
public sealed class AptProvider : IPackageProvider
{
    // apt holds one lock per root; queuing here gives a clear order instead of "could not get lock".
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> RootLocks = new(StringComparer.Ordinal);

    private readonly PackageModuleOptions _options;

    public AptProvider(PackageModuleOptions? options = null) => _options = options ?? new PackageModuleOptions();

    public string Name => "apt";

    /// <summary>Where a successful <c>apt-get update</c> is recorded (apt leaves unchanged lists untouched).</summary>
    public const string UpdateStampPath = "/var/lib/apt/periodic/colabo-update-success-stamp";

    public async Task<IReadOnlyDictionary<string, string>> QueryInstalledAsync(IReadOnlyCollection<string> names, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(context);
        if (names.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var arguments = new List<string>();
        if (!context.Root.IsSystemRoot)
        {
            arguments.Add("--admindir=" + context.Root.Resolve("/var/lib/dpkg"));
        }

        arguments.AddRange(["--show", "--showformat=${Package}\\t${db:Status-Abbrev}\\t${Version}\\n"]);
        arguments.AddRange(names);
        var result = await RunAsync(new Command("dpkg-query").WithArguments(arguments), context, cancellationToken).ConfigureAwait(false);

        // Exit 1 only says that some names are not installed (or unknown); the rest is still printed.
        if (result.ExitCode is not (0 or 1))
        {
            throw Failure("dpkg-query", result);
        }

        return DpkgQueryOutput.ParseInstalled(result.StandardOutput);
    }

    public async Task<IReadOnlyDictionary<string, string>> QueryCandidatesAsync(IReadOnlyCollection<string> names, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(context);
        if (names.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        // Reading must not write: empty cache file names keep apt-cache from saving its binary cache.
        var result = await RunAsync(Apt(context, "apt-cache", ["-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=", "policy", .. names]), context, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failure("apt-cache policy", result);
        }

        return AptCachePolicyOutput.ParseCandidates(result.StandardOutput);
    }

    public async Task InstallAsync(IReadOnlyList<PackageRequest> packages, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(context);
        if (packages.Count == 0)
        {
            return;
        }

        var gate = RootLocks.GetOrAdd(context.Root.Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await UpdateListsWhenStaleAsync(context, cancellationToken).ConfigureAwait(false);
            List<string> arguments =
            [
                "install", "--yes", "--quiet", "--allow-downgrades",
                _options.InstallRecommends ? "--install-recommends" : "--no-install-recommends",
                "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
                "-o", "DPkg::Lock::Timeout=120",
            ];
            arguments.AddRange(packages.Select(p => p.ToString()));
            var result = await RunAsync(Apt(context, "apt-get", arguments), context, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw Failure($"apt-get install {string.Join(' ', packages)}", result);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task RemoveAsync(IReadOnlyList<string> names, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(context);
        if (names.Count == 0)
        {
            return;
        }

        var gate = RootLocks.GetOrAdd(context.Root.Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // apt would silently take every package that depends on these along; refuse that instead.
            var simulation = await RunAsync(Apt(context, "apt-get", ["remove", "--simulate", "--quiet", .. names]), context, cancellationToken).ConfigureAwait(false);
            if (!simulation.Succeeded)
            {
                throw Failure($"apt-get remove {string.Join(' ', names)}", simulation);
            }

            var alsoRemoved = simulation.StandardOutput.Split('\n')
                .Where(line => line.StartsWith("Remv ", StringComparison.Ordinal))
                .Select(line => line.Split(' ')[1].Split(':')[0])
                .Except(names, StringComparer.Ordinal)
                .ToList();
            if (alsoRemoved.Count > 0)
            {
                throw new InvalidOperationException(
                    $"removing {string.Join(", ", names)} would also remove {string.Join(", ", alsoRemoved)}, which depend on it; declare those absent too, or keep it");
            }

            var result = await RunAsync(Apt(context, "apt-get", ["remove", "--yes", "--quiet", "-o", "DPkg::Lock::Timeout=120", .. names]), context, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw Failure($"apt-get remove {string.Join(' ', names)}", result);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// When the lists were last refreshed by this module: the time written in our stamp file, or null.
    /// apt sets list files to the server's Last-Modified time, so their mtimes cannot tell.
    /// </summary>
    public static DateTimeOffset? ListsRefreshedAt(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var stamp = context.Root.Resolve(UpdateStampPath);
        if (context.Files.GetStatus(stamp) is not { Kind: FileKind.File })
        {
            return null;
        }

        var text = System.Text.Encoding.UTF8.GetString(context.Files.ReadAllBytes(stamp)).Trim();
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private async Task UpdateListsWhenStaleAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var refreshed = ListsRefreshedAt(context);
        if (refreshed is not null && now - refreshed.Value < _options.MaxListAge)
        {
            return;
        }

        var result = await RunAsync(Apt(context, "apt-get", ["update", "--quiet", "-o", "DPkg::Lock::Timeout=120"]), context, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failure("apt-get update", result);
        }

        var stamp = context.Root.Resolve(UpdateStampPath);
        var directory = Path.GetDirectoryName(stamp)!;
        if (context.Files.GetStatus(directory) is null)
        {
            context.Files.CreateDirectory(directory, 0, 0, FileModes.Parse("0755"));
        }

        context.Files.WriteFileAtomically(stamp, System.Text.Encoding.UTF8.GetBytes(now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n"), 0, 0, FileModes.Parse("0644"));
    }

    private static Command Apt(ModuleContext context, string tool, IEnumerable<string> arguments)
    {
        var command = context.Root.IsSystemRoot
            ? new Command(tool).WithArguments(arguments)
            : new Command("chroot").WithArguments([context.Root.Path, tool, .. arguments]);
        return command
            .WithEnvironment("DEBIAN_FRONTEND", "noninteractive")
            .WithEnvironment("LC_ALL", "C")
            .WithEnvironment("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    private Task<CommandResult> RunAsync(Command command, ModuleContext context, CancellationToken cancellationToken) =>
        context.Commands.RunAsync(command.WithTimeout(_options.CommandTimeout), cancellationToken);

    private static InvalidOperationException Failure(string what, CommandResult result)
    {
        // apt puts the reason on "E:" lines; everything else is progress noise.
        var errors = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("E:", StringComparison.Ordinal) || line.StartsWith("dpkg", StringComparison.Ordinal))
            .ToList();
        var detail = errors.Count > 0 ? string.Join("; ", errors) : result.StandardError.Trim();
        return new InvalidOperationException($"{what} failed with exit code {result.ExitCode}: {detail}");
    }
}
