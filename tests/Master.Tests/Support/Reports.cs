using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Reports;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Tests.Support;

/// <summary>Catalogs and runs as the compiler and an agent produce them.</summary>
public static class Reports
{
    public static Catalog Catalog(string node, string motd, string hash) => new()
    {
        Node = node,
        ContentHash = hash,
        Commit = "c0ffee",
        Resources =
        {
            new Resource { Id = "file:/etc/motd", Kind = "file", Name = "/etc/motd", Role = "base", File = new FileSpec { Path = "/etc/motd", Content = motd } },
            new Resource { Id = "package:nginx", Kind = "package", Name = "nginx", Role = "web", Package = new PackageSpec { Name = "nginx" } },
            new Resource
            {
                Id = "user:app", Kind = "user", Name = "app", Role = "base", SecretProperties = { "password_hash" },
                User = new UserSpec { Name = "app", PasswordHash = "$6$secret-hash" },
            },
        },
    };

    public static ResourceOutcome Outcome(string id, OutcomeStatus status, string? before = null, string? after = null)
    {
        var outcome = new ResourceOutcome { ResourceId = id, Kind = id.Split(':')[0], Role = id.StartsWith("package", StringComparison.Ordinal) ? "web" : "base", Status = status };
        if (before is not null || after is not null)
        {
            var change = new PropertyChange { Property = id.StartsWith("user", StringComparison.Ordinal) ? "password_hash" : "content" };
            if (before is not null)
            {
                change.Before = before;
            }
            if (after is not null)
            {
                change.After = after;
            }
            outcome.Changes.Add(change);
        }
        return outcome;
    }

    public static RunReport Run(string runId, string catalogHash, DateTimeOffset at, params ResourceOutcome[] outcomes) =>
        Run(runId, catalogHash, at, RunMode.Enforce, outcomes);

    public static RunReport Run(string runId, string catalogHash, DateTimeOffset at, RunMode mode, params ResourceOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            outcome.FinishedAt = Timestamp.FromDateTimeOffset(at);
        }
        return new RunReport(
            new RunStart { RunId = runId, Mode = mode, CatalogHash = catalogHash, Commit = "c0ffee", StartedAt = Timestamp.FromDateTimeOffset(at.AddSeconds(-3)) },
            outcomes,
            new RunSummary { RunId = runId, Mode = mode, CatalogHash = catalogHash, FinishedAt = Timestamp.FromDateTimeOffset(at), Total = outcomes.Length });
    }
}
