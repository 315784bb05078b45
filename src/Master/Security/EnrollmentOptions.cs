namespace Colabo.Config.Master.Security;

public sealed record EnrollmentOptions
{
    public TimeSpan NodeCertificateLifetime { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan AdminCertificateLifetime { get; init; } = TimeSpan.FromDays(365);
    public TimeSpan DefaultTokenLifetime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan MaxTokenLifetime { get; init; } = TimeSpan.FromDays(30);
}
