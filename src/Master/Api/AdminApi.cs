using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Catalogs;
using Colabo.Config.Master.Drift;
using Colabo.Config.Master.Nodes;
using Colabo.Config.Master.Roles;
using Colabo.Config.Master.Security;
using Colabo.Config.Master.Serving;
using Colabo.Config.Store;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Api;

/// <summary>
/// The admin API, one implementation behind both surfaces (gRPC AdminService and JSON /api/v1).
/// Every method checks the caller: viewers read, admins also write, nodes get nothing.
/// </summary>
public sealed class AdminApi(
    IConfigStore store, NodeDirectory nodes, Enrollment enrollment, RevocationList revocations, RoleSource roles, CatalogArchive archive,
    SecretsVault secrets, PushQueue push, CertificateAuthority ca, TimeProvider time, TimeSpan runInterval)
{
    /// <summary>Catalogs are immutable by hash, and so are the roles they were compiled with.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> _rolesByCatalog = new(StringComparer.Ordinal);

    public async Task<ListNodesResponse> ListNodesAsync(CallerIdentity caller, ListNodesRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        var response = new ListNodesResponse();
        foreach (var node in await store.ListNodesAsync(cancellationToken))
        {
            if (request.Selector.Length > 0 && !Glob.IsMatch(request.Selector, node.Name))
            {
                continue;
            }
            var view = await NodeViewAsync(node, cancellationToken);
            if (request.Status == NodeStatus.Unspecified || view.Status == request.Status)
            {
                response.Nodes.Add(view);
            }
        }
        return response;
    }

    public async Task<NodeDetail> GetNodeAsync(CallerIdentity caller, GetNodeRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        var node = await RequireNodeAsync(request.Name, cancellationToken);
        var detail = new NodeDetail { Node = await NodeViewAsync(node, cancellationToken), Facts = FactsMapper.FromJson(node.FactsJson) };
        foreach (var state in await store.GetResourceStatesAsync(node.Name, cancellationToken))
        {
            detail.Resources.Add(ToProto(state));
        }
        return detail;
    }

    public async Task<ListReportsResponse> ListReportsAsync(CallerIdentity caller, ListReportsRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        await RequireNodeAsync(request.Node, cancellationToken);
        var response = new ListReportsResponse();
        foreach (var run in await store.ListRunsAsync(request.Node, request.Since?.ToDateTimeOffset(), request.Limit is > 0 and <= 1000 ? request.Limit : 20, cancellationToken))
        {
            response.Reports.Add(ToProto(run));
        }
        return response;
    }

    public async Task<ResourceHistoryResponse> GetResourceHistoryAsync(CallerIdentity caller, ResourceHistoryRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        await RequireNodeAsync(request.Node, cancellationToken);
        if (string.IsNullOrEmpty(request.ResourceId))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "Name a resource, e.g. file:/etc/motd.");
        }
        var response = new ResourceHistoryResponse();
        var state = (await store.GetResourceStatesAsync(request.Node, cancellationToken)).FirstOrDefault(s => s.ResourceId == request.ResourceId);
        if (state is not null)
        {
            response.Current = ToProto(state);
        }
        var changes = await store.QueryChangesAsync(new ChangeQuery
        {
            NodeGlob = request.Node,
            ResourceGlob = request.ResourceId,
            Limit = request.Limit is > 0 and <= 10_000 ? request.Limit : 100,
        }, cancellationToken);
        response.Changes.AddRange(changes.Select(DriftQuery.ToEntry));
        return response;
    }

    public Task<DriftQueryResponse> QueryDriftAsync(CallerIdentity caller, DriftQueryRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        return new DriftQuery(store).RunAsync(request, cancellationToken);
    }

    public async Task<PlanResponse> PlanAsync(CallerIdentity caller, PlanRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        var node = await RequireNodeAsync(request.Node, cancellationToken);
        return await PlanNodeAsync(node, request.Ref, cancellationToken);
    }

    public async Task<FleetPlanResponse> FleetPlanAsync(CallerIdentity caller, FleetPlanRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        var response = new FleetPlanResponse();
        foreach (var node in await store.ListNodesAsync(cancellationToken))
        {
            if (request.Selector.Length == 0 || Glob.IsMatch(request.Selector, node.Name))
            {
                response.Plans.Add(await PlanNodeAsync(node, request.Ref, cancellationToken));
            }
        }
        return response;
    }

    public async Task<RunNowResponse> RunNowAsync(CallerIdentity caller, RunNowRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var selector = string.IsNullOrEmpty(request.Selector) ? throw new MasterException(MasterErrorKind.InvalidArgument, "Name the nodes to run: a name or a glob such as 'web-*' ('*' for all).") : request.Selector;
        var response = new RunNowResponse();
        foreach (var node in await store.ListNodesAsync(cancellationToken))
        {
            if (Glob.IsMatch(selector, node.Name))
            {
                push.Enqueue(new ClusterEvent(ClusterEvent.RunNow, node.Name, request.Mode == RunMode.Noop ? "noop" : "enforce"));
                response.Nodes.Add(node.Name);
            }
        }
        return response;
    }

    public async Task<CreateTokenResponse> CreateTokenAsync(CallerIdentity caller, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var created = await enrollment.CreateTokenAsync(new TokenRequest
        {
            NamePattern = request.NamePattern,
            Roles = [.. request.Roles],
            Environment = request.Environment,
            ExpiresIn = request.ExpiresIn?.ToTimeSpan(),
            MaxUses = request.MaxUses == 0 ? 1 : request.MaxUses,
            Description = request.Description,
        }, caller.Name, cancellationToken);
        return new CreateTokenResponse { Token = created.Secret, Info = ToProto(created.Record), CaFingerprint = ca.Fingerprint };
    }

    public async Task<ListTokensResponse> ListTokensAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        Read(caller);
        var response = new ListTokensResponse();
        response.Tokens.AddRange((await store.ListTokensAsync(cancellationToken)).Select(ToProto));
        return response;
    }

    public async Task<RevokeTokenResponse> RevokeTokenAsync(CallerIdentity caller, RevokeTokenRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        return new RevokeTokenResponse { Revoked = await store.RevokeTokenAsync(request.Id, cancellationToken) };
    }

    public async Task<ListCertificatesResponse> ListCertificatesAsync(CallerIdentity caller, ListCertificatesRequest request, CancellationToken cancellationToken)
    {
        Read(caller);
        var now = time.GetUtcNow();
        var response = new ListCertificatesResponse();
        foreach (var record in await store.ListCertificatesAsync(string.IsNullOrEmpty(request.Subject) ? null : request.Subject, cancellationToken))
        {
            if (!request.IncludeExpired && record.NotAfter < now)
            {
                continue;
            }
            var certificate = new Certificate
            {
                Serial = record.Serial,
                Subject = record.Subject,
                Kind = record.Kind,
                NotBefore = Timestamp.FromDateTimeOffset(record.NotBefore),
                NotAfter = Timestamp.FromDateTimeOffset(record.NotAfter),
                Revoked = record.RevokedAt is not null,
                RevocationReason = record.RevocationReason,
                Fingerprint = record.Fingerprint,
            };
            if (record.RevokedAt is { } at)
            {
                certificate.RevokedAt = Timestamp.FromDateTimeOffset(at);
            }
            response.Certificates.Add(certificate);
        }
        return response;
    }

    public async Task<RevokeCertificateResponse> RevokeCertificateAsync(CallerIdentity caller, RevokeCertificateRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var response = new RevokeCertificateResponse();
        response.Serials.AddRange(await enrollment.RevokeAsync(request.Serial, request.Node, request.Reason, cancellationToken));
        return response;
    }

    public async Task<RenewCertificatesResponse> RenewCertificatesAsync(CallerIdentity caller, RenewCertificatesRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var selector = string.IsNullOrEmpty(request.Selector) ? throw new MasterException(MasterErrorKind.InvalidArgument, "Name the nodes to renew: a name or a glob such as 'web-*' ('*' for all).") : request.Selector;
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? $"requested by {caller.Name}" : request.Reason.Trim();
        var response = new RenewCertificatesResponse();
        foreach (var node in await store.ListNodesAsync(cancellationToken))
        {
            if (Glob.IsMatch(selector, node.Name) && !(node.CertificateSerial.Length > 0 && revocations.IsRevoked(node.CertificateSerial)))
            {
                push.Enqueue(new ClusterEvent(NodeDirectory.RenewCertificate, node.Name, reason));
                response.Nodes.Add(node.Name);
            }
        }
        return response;
    }

    public async Task<IssueAdminCertificateResponse> IssueAdminCertificateAsync(CallerIdentity caller, IssueAdminCertificateRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var issued = await enrollment.IssueAdminCertificateAsync(request.Name, request.Role, request.CsrPem, request.ValidFor?.ToTimeSpan(), cancellationToken);
        return new IssueAdminCertificateResponse { CertificatePem = issued.Pem, CaCertificatePem = ca.CertificatePem };
    }

    public async Task<DeployResponse> DeployAsync(CallerIdentity caller, DeployRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        var outcome = await roles.DeployAsync(string.IsNullOrEmpty(request.Environment) ? "main" : request.Environment, cancellationToken);
        var response = new DeployResponse { Environment = outcome.Environment, Commit = outcome.Commit, Published = outcome.Published };
        response.Errors.AddRange(outcome.Errors.Select(e => ToProto(e.Node, e.Error)));
        response.AffectedNodes.AddRange(outcome.AffectedNodes);
        return response;
    }

    /// <summary>From the store, so every replica answers the same (docs/master.md, "How catalogs are published").</summary>
    public async Task<RepoStatusResponse> GetRepoStatusAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        Read(caller);
        var response = new RepoStatusResponse { Repo = roles.Repo };
        foreach (var record in await roles.StatusAsync(cancellationToken))
        {
            var status = new EnvironmentStatus
            {
                Environment = record.Environment,
                PublishedCommit = record.PublishedCommit,
                HeadCommit = record.HeadCommit,
                LastFailedCommit = record.LastFailedCommit,
            };
            if (record.LastFetchAt is { } fetched)
            {
                status.LastFetchAt = Timestamp.FromDateTimeOffset(fetched);
            }
            if (record.PublishedAt is { } at)
            {
                status.PublishedAt = Timestamp.FromDateTimeOffset(at);
            }
            status.LastErrors.AddRange(record.Errors.Select(e => ToProto(e.Node, new Compiler.CompileError(e.File, e.Line, e.Column, e.Code, e.Message))));
            response.Environments.Add(status);
        }
        return response;
    }

    public async Task<SetSecretResponse> SetSecretAsync(CallerIdentity caller, SetSecretRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        await secrets.SetAsync(request.Name, request.Value, cancellationToken);
        return new SetSecretResponse();
    }

    public async Task<ListSecretsResponse> ListSecretsAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        Read(caller);
        var response = new ListSecretsResponse();
        response.Names.AddRange(await secrets.ListAsync(cancellationToken));
        return response;
    }

    public async Task<DeleteSecretResponse> DeleteSecretAsync(CallerIdentity caller, DeleteSecretRequest request, CancellationToken cancellationToken)
    {
        Write(caller);
        return new DeleteSecretResponse { Deleted = await secrets.DeleteAsync(request.Name, cancellationToken) };
    }

    private async Task<PlanResponse> PlanNodeAsync(NodeRecord node, string reference, CancellationToken cancellationToken)
    {
        var response = new PlanResponse { Node = node.Name, CurrentHash = node.CatalogHash };
        try
        {
            var snapshot = await roles.SnapshotAsync(string.IsNullOrEmpty(reference) ? "refs/heads/" + node.Environment : reference, cancellationToken);
            var facts = FactsMapper.ToCompilerFacts(FactsMapper.FromJson(node.FactsJson));
            var result = roles.Compile(snapshot, node.Name, facts, await secrets.GetAllAsync(cancellationToken), node.Environment, node.Roles);
            response.Commit = snapshot.Commit;
            if (result.Catalog is not { } catalog)
            {
                response.Error = string.Join("; ", result.Errors.Take(5).Select(e => e.ToString()));
                return response;
            }
            response.CatalogHash = catalog.ContentHash;
            var current = (await archive.FindAsync(node.CatalogHash, cancellationToken))?.Catalog;
            response.Changes.AddRange(CatalogDiff.Between(current, catalog));
        }
        catch (Compiler.Repository.RoleRepositoryException e)
        {
            response.Error = e.Message;
        }
        return response;
    }

    private async Task<NodeRecord> RequireNodeAsync(string name, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(name)
            ? throw new MasterException(MasterErrorKind.InvalidArgument, "Name a node.")
            : await store.GetNodeAsync(name, cancellationToken) ?? throw new MasterException(MasterErrorKind.NotFound, $"No node named {name} is enrolled.");

    private async Task<Node> NodeViewAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var revoked = node.CertificateSerial.Length > 0 && revocations.IsRevoked(node.CertificateSerial);
        var facts = FactsMapper.FromJson(node.FactsJson);
        var view = new Node
        {
            Name = node.Name,
            Status = RunStates.StatusOf(node, time.GetUtcNow(), runInterval, revoked),
            Environment = node.Environment,
            CatalogHash = node.CatalogHash,
            AppliedHash = node.AppliedHash,
            EnrolledAt = Timestamp.FromDateTimeOffset(node.EnrolledAt),
            Connected = nodes.Find(node.Name)?.WatchCount > 0,
            Os = facts.Os,
            Release = facts.Release,
        };
        view.Roles.AddRange(await RolesOfAsync(node, cancellationToken));
        if (node.LastSeenAt is { } seen)
        {
            view.LastSeenAt = Timestamp.FromDateTimeOffset(seen);
        }
        if (node.LastReportAt is { } reported)
        {
            view.LastReportAt = Timestamp.FromDateTimeOffset(reported);
        }
        if (node.LastRunId.Length > 0 && await store.GetRunAsync(node.Name, node.LastRunId, cancellationToken) is { } run)
        {
            view.LastRun = ToProto(run);
        }
        return view;
    }

    /// <summary>
    /// The node's roles as the compiler resolved them (classification rules, then the enrollment token's
    /// roles, includes expanded, in application order): those of the catalog the node is served; for a
    /// node that has not checked in yet, those of its catalog at the published commit.
    /// </summary>
    private async Task<IReadOnlyList<string>> RolesOfAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        if (node.CatalogHash.Length > 0)
        {
            if (_rolesByCatalog.TryGetValue(node.CatalogHash, out var known))
            {
                return known;
            }
            if (await archive.FindAsync(node.CatalogHash, cancellationToken) is { } served)
            {
                if (_rolesByCatalog.Count >= 50_000)
                {
                    _rolesByCatalog.Clear();
                }
                return _rolesByCatalog[node.CatalogHash] = [.. served.Catalog.Roles];
            }
        }
        try
        {
            if (await roles.PublishedAsync(node.Environment, cancellationToken) is { } snapshot)
            {
                var facts = FactsMapper.ToCompilerFacts(FactsMapper.FromJson(node.FactsJson));
                var result = roles.Compile(snapshot, node.Name, facts, await secrets.GetAllAsync(cancellationToken), node.Environment, node.Roles);
                if (result.Catalog is { } catalog)
                {
                    return [.. catalog.Roles];
                }
            }
        }
        catch (Exception e) when (e is MasterException or Compiler.Repository.RoleRepositoryException)
        {
            // No published catalog to read roles from: the token's roles are all that is known.
        }
        return node.Roles;
    }

    private static void Read(CallerIdentity caller)
    {
        if (!caller.CanRead)
        {
            throw new MasterException(MasterErrorKind.PermissionDenied, $"{caller.Kind.ToOu()} '{caller.Name}' may not use the admin API; it needs an admin or viewer credential.");
        }
    }

    private static void Write(CallerIdentity caller)
    {
        Read(caller);
        if (!caller.CanWrite)
        {
            throw new MasterException(MasterErrorKind.PermissionDenied, $"'{caller.Name}' has the viewer role, which is read-only; this needs the admin role.");
        }
    }

    private static CompileError ToProto(string node, Compiler.CompileError error) =>
        new() { File = error.File, Line = error.Line, Column = error.Column, Message = $"[{error.Code}] {error.Message}", Node = node };

    private static EnrollmentToken ToProto(EnrollmentTokenRecord token)
    {
        var proto = new EnrollmentToken
        {
            Id = token.Id,
            NamePattern = token.NamePattern,
            Environment = token.Environment,
            CreatedAt = Timestamp.FromDateTimeOffset(token.CreatedAt),
            ExpiresAt = Timestamp.FromDateTimeOffset(token.ExpiresAt),
            MaxUses = token.MaxUses,
            Uses = token.Uses,
            Revoked = token.Revoked,
            Description = token.Description,
            CreatedBy = token.CreatedBy,
        };
        proto.Roles.AddRange(token.Roles);
        return proto;
    }

    private static ResourceState ToProto(ResourceStateRecord state)
    {
        var proto = new ResourceState
        {
            ResourceId = state.ResourceId,
            Kind = state.Kind,
            Role = state.Role,
            Status = ChangeClasses.ParseStatus(state.Status),
            Message = state.Message,
            RunId = state.RunId,
            UpdatedAt = Timestamp.FromDateTimeOffset(state.UpdatedAt),
            LastChangeClass = ChangeClasses.ToProto(state.LastChangeClass),
        };
        if (state.LastChangedAt is { } changed)
        {
            proto.LastChangedAt = Timestamp.FromDateTimeOffset(changed);
        }
        return proto;
    }

    public static RunSummary ToProto(RunRecord run) => new()
    {
        RunId = run.RunId,
        Mode = run.Mode == "noop" ? RunMode.Noop : RunMode.Enforce,
        CatalogHash = run.CatalogHash,
        Commit = run.Commit,
        StartedAt = Timestamp.FromDateTimeOffset(run.StartedAt),
        FinishedAt = Timestamp.FromDateTimeOffset(run.FinishedAt),
        Total = run.Total,
        InSync = run.InSync,
        Changed = run.Changed,
        WouldChange = run.WouldChange,
        Failed = run.Failed,
        Skipped = run.Skipped,
        Error = run.Error,
    };
}
