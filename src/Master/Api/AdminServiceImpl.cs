using Colabo.Config.Contracts.V1;
using Colabo.Config.Master.Security;
using Colabo.Config.Rpc;

namespace Colabo.Config.Master.Api;

/// <summary>colabo.config.v1.AdminService over gRPC: admin and viewer certificates.</summary>
public sealed class AdminServiceImpl(AdminApi api, RevocationList revocations) : AdminService.AdminServiceBase
{
    private CallerIdentity Caller(ServerCallContext context) => Surface.Caller(context, revocations);

    public override Task<ListNodesResponse> ListNodes(ListNodesRequest request, ServerCallContext context) => Surface.Guard(() => api.ListNodesAsync(Caller(context), request, context.CancellationToken));
    public override Task<NodeDetail> GetNode(GetNodeRequest request, ServerCallContext context) => Surface.Guard(() => api.GetNodeAsync(Caller(context), request, context.CancellationToken));
    public override Task<ListReportsResponse> ListReports(ListReportsRequest request, ServerCallContext context) => Surface.Guard(() => api.ListReportsAsync(Caller(context), request, context.CancellationToken));
    public override Task<ResourceHistoryResponse> GetResourceHistory(ResourceHistoryRequest request, ServerCallContext context) => Surface.Guard(() => api.GetResourceHistoryAsync(Caller(context), request, context.CancellationToken));
    public override Task<DriftQueryResponse> QueryDrift(DriftQueryRequest request, ServerCallContext context) => Surface.Guard(() => api.QueryDriftAsync(Caller(context), request, context.CancellationToken));
    public override Task<PlanResponse> Plan(PlanRequest request, ServerCallContext context) => Surface.Guard(() => api.PlanAsync(Caller(context), request, context.CancellationToken));
    public override Task<FleetPlanResponse> FleetPlan(FleetPlanRequest request, ServerCallContext context) => Surface.Guard(() => api.FleetPlanAsync(Caller(context), request, context.CancellationToken));
    public override Task<RunNowResponse> RunNow(RunNowRequest request, ServerCallContext context) => Surface.Guard(() => api.RunNowAsync(Caller(context), request, context.CancellationToken));
    public override Task<CreateTokenResponse> CreateToken(CreateTokenRequest request, ServerCallContext context) => Surface.Guard(() => api.CreateTokenAsync(Caller(context), request, context.CancellationToken));
    public override Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context) => Surface.Guard(() => api.ListTokensAsync(Caller(context), context.CancellationToken));
    public override Task<RevokeTokenResponse> RevokeToken(RevokeTokenRequest request, ServerCallContext context) => Surface.Guard(() => api.RevokeTokenAsync(Caller(context), request, context.CancellationToken));
    public override Task<ListCertificatesResponse> ListCertificates(ListCertificatesRequest request, ServerCallContext context) => Surface.Guard(() => api.ListCertificatesAsync(Caller(context), request, context.CancellationToken));
    public override Task<RevokeCertificateResponse> RevokeCertificate(RevokeCertificateRequest request, ServerCallContext context) => Surface.Guard(() => api.RevokeCertificateAsync(Caller(context), request, context.CancellationToken));
    public override Task<RenewCertificatesResponse> RenewCertificates(RenewCertificatesRequest request, ServerCallContext context) => Surface.Guard(() => api.RenewCertificatesAsync(Caller(context), request, context.CancellationToken));
    public override Task<IssueAdminCertificateResponse> IssueAdminCertificate(IssueAdminCertificateRequest request, ServerCallContext context) => Surface.Guard(() => api.IssueAdminCertificateAsync(Caller(context), request, context.CancellationToken));
    public override Task<DeployResponse> Deploy(DeployRequest request, ServerCallContext context) => Surface.Guard(() => api.DeployAsync(Caller(context), request, context.CancellationToken));
    public override Task<RepoStatusResponse> GetRepoStatus(RepoStatusRequest request, ServerCallContext context) => Surface.Guard(() => api.GetRepoStatusAsync(Caller(context), context.CancellationToken));
    public override Task<SetSecretResponse> SetSecret(SetSecretRequest request, ServerCallContext context) => Surface.Guard(() => api.SetSecretAsync(Caller(context), request, context.CancellationToken));
    public override Task<ListSecretsResponse> ListSecrets(ListSecretsRequest request, ServerCallContext context) => Surface.Guard(() => api.ListSecretsAsync(Caller(context), context.CancellationToken));
    public override Task<DeleteSecretResponse> DeleteSecret(DeleteSecretRequest request, ServerCallContext context) => Surface.Guard(() => api.DeleteSecretAsync(Caller(context), request, context.CancellationToken));
}
