using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Reports;
using Colabo.Config.Store;
using Google.Protobuf.WellKnownTypes;

namespace Colabo.Config.Master.Drift;

/// <summary>
/// "Which nodes drifted on which resources since T, and what was changed back": corrective changes
/// (optionally intentional ones too) by node glob, role, resource glob and time range, each with
/// the property values it found (before) and restored (after).
/// </summary>
public sealed class DriftQuery(IConfigStore store)
{
    public async Task<DriftQueryResponse> RunAsync(DriftQueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new ChangeQuery
        {
            NodeGlob = NullIfEmpty(request.Node),
            Role = NullIfEmpty(request.Role),
            ResourceGlob = NullIfEmpty(request.Resource),
            Since = request.Since?.ToDateTimeOffset(),
            Until = request.Until?.ToDateTimeOffset(),
            Classes = request.IncludeIntentional ? [ChangeClasses.Corrective, ChangeClasses.Intentional] : [ChangeClasses.Corrective],
            Limit = request.Limit is > 0 and <= 10_000 ? request.Limit : 1000,
        };
        var changes = await store.QueryChangesAsync(query, cancellationToken);
        var response = new DriftQueryResponse();
        response.Changes.AddRange(changes.Select(ToEntry));
        response.Nodes.AddRange(changes.Select(c => c.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return response;
    }

    public static ChangeEntry ToEntry(ChangeRecord change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = new ChangeEntry
        {
            Node = change.Node,
            RunId = change.RunId,
            ResourceId = change.ResourceId,
            Kind = change.Kind,
            Role = change.Role,
            Status = ChangeClasses.ParseStatus(change.Status),
            Class = ChangeClasses.ToProto(change.Class),
            Message = change.Message,
            At = Timestamp.FromDateTimeOffset(change.At),
            CatalogHash = change.CatalogHash,
        };
        entry.Changes.AddRange(ReportClassifier.ParseChanges(change.ChangesJson));
        return entry;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
