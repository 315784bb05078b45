namespace Colabo.Config.Master.Security;

/// <summary>What a certificate issued by the master CA lets its holder do; carried in the subject OU.</summary>
public enum CertificateKind
{
    Node,
    Admin,
    Viewer,
    Server,
    Signing,
}

public static class CertificateKinds
{
    public static string ToOu(this CertificateKind kind) => kind switch
    {
        CertificateKind.Node => "node",
        CertificateKind.Admin => "admin",
        CertificateKind.Viewer => "viewer",
        CertificateKind.Server => "server",
        CertificateKind.Signing => "signing",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static CertificateKind? FromOu(string? ou) => ou switch
    {
        "node" => CertificateKind.Node,
        "admin" => CertificateKind.Admin,
        "viewer" => CertificateKind.Viewer,
        "server" => CertificateKind.Server,
        "signing" => CertificateKind.Signing,
        _ => null,
    };
}
