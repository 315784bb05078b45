using System.Text;
using Colabo.Config.Store;

namespace Colabo.Config.Master.Serving;

/// <summary>
/// Secrets: sealed with the secrets key before they reach the store, decrypted only to compile
/// catalogs of nodes whose roles use them. Names can be listed; values are never read back.
/// </summary>
public sealed class SecretsVault : IDisposable
{
    private const string ChangedEvent = "secrets-changed";
    private readonly IConfigStore _store;
    private readonly SecretCipher _cipher;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private volatile IReadOnlyDictionary<string, string>? _all;

    public SecretsVault(IConfigStore store, SecretCipher cipher, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _cipher = cipher;
        _time = time;
        _subscription = store.Events.Subscribe(e =>
        {
            if (e.Kind == ChangedEvent)
            {
                _all = null;
            }
        });
    }

    public async Task SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new MasterException(MasterErrorKind.InvalidArgument, "Secret names are 1 to 128 letters, digits, '_', '-' or '.'.");
        }
        ArgumentNullException.ThrowIfNull(value);
        await _store.SetSecretAsync(name, _cipher.Seal(Encoding.UTF8.GetBytes(value)), _time.GetUtcNow(), cancellationToken);
        await ChangedAsync(cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => _store.ListSecretNamesAsync(cancellationToken);

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await _store.DeleteSecretAsync(name, cancellationToken);
        await ChangedAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Every secret, decrypted, for the compiler; cached until a secret changes on any replica.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetAllAsync(CancellationToken cancellationToken)
    {
        if (_all is { } cached)
        {
            return cached;
        }
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in await _store.ListSecretNamesAsync(cancellationToken))
        {
            if (await _store.GetSecretAsync(name, cancellationToken) is { } sealedValue)
            {
                all[name] = Encoding.UTF8.GetString(_cipher.Open(sealedValue));
            }
        }
        _all = all;
        return all;
    }

    private async Task ChangedAsync(CancellationToken cancellationToken)
    {
        _all = null;
        await _store.Events.PublishAsync(new ClusterEvent(ChangedEvent, "-"), cancellationToken);
    }

    public void Dispose() => _subscription.Dispose();
}
