namespace Colabo.Config.Rpc.Internal;

/// <summary>What the public call objects ask of a call in flight.</summary>
internal interface ICallState : IDisposable
{
    Task<Metadata> ResponseHeadersAsync { get; }

    Status GetStatus();

    Metadata GetTrailers();
}
