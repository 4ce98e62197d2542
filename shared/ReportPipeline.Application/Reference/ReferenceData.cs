using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// The catalog (loaded once from <see cref="ICatalogSource"/>: the newest version it holds) and the org registry
/// (reloaded at most every <see cref="RefreshInterval"/>, because <c>seed</c> may replace it while a host runs).
/// </summary>
public sealed class ReferenceData(
    ICatalogSource catalogSource,
    IOrgRegistrySource orgSource,
    TimeProvider time,
    ILogger<ReferenceData> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly Lazy<CatalogBundle> _catalog = new(() => LoadCatalog(catalogSource, logger));
    private readonly SemaphoreSlim _orgLock = new(1, 1);
    private readonly Dictionary<PeriodKind, IReadOnlySet<string>> _neededForValidation = [];
    private OrgRegistry? _orgs;
    private DateTimeOffset _orgsLoadedAt;
    private int _reload;

    public CatalogBundle Catalog => _catalog.Value;

    public async Task<OrgRegistry> GetOrgsAsync(CancellationToken cancellationToken)
    {
        if (_orgs is { } cached && Volatile.Read(ref _reload) == 0 && time.GetUtcNow() - _orgsLoadedAt < RefreshInterval)
        {
            return cached;
        }

        // While one request refreshes, the others keep using the snapshot they have rather than queueing behind it;
        // only the first load, or a reload asked for by seeding, makes them wait.
        if (!await _orgLock.WaitAsync(0, cancellationToken))
        {
            if (_orgs is { } snapshot && Volatile.Read(ref _reload) == 0)
            {
                return snapshot;
            }

            await _orgLock.WaitAsync(cancellationToken);
        }

        try
        {
            if (_orgs is null || Interlocked.Exchange(ref _reload, 0) != 0 || time.GetUtcNow() - _orgsLoadedAt >= RefreshInterval)
            {
                try
                {
                    var (registry, version) = await orgSource.LoadAsync(cancellationToken);
                    if (!ReferenceEquals(registry, _orgs))
                    {
                        logger.LogInformation("Loaded org registry {Version} with {OrgCount} orgs", version, registry.Count);
                    }

                    _orgs = registry;
                }
                catch (Exception ex) when (_orgs is not null && ex is not OperationCanceledException)
                {
                    // Storage trouble must not turn every request into a failure while a good registry is at hand.
                    logger.LogWarning(ex, "Could not refresh the org registry; keeping the one loaded at {LoadedAt}", _orgsLoadedAt);
                }

                _orgsLoadedAt = time.GetUtcNow();
            }

            return _orgs;
        }
        finally
        {
            _orgLock.Release();
        }
    }

    /// <summary>The snapshot loaded by the last <see cref="GetOrgsAsync"/>; handlers call that first.</summary>
    public OrgRegistry CurrentOrgs => _orgs ?? throw new InvalidOperationException("The org registry has not been loaded yet.");

    /// <summary>Forgets the cached registry, e.g. right after <c>seed</c> replaced it in this process.</summary>
    public void InvalidateOrgs() => Interlocked.Exchange(ref _reload, 1);

    /// <summary>Fields whose stored value validation may need: every field named by a cross-field rule, and the required typed fields.</summary>
    public IReadOnlySet<string> FieldsNeededForValidation(PeriodKind kind)
    {
        lock (_neededForValidation)
        {
            if (!_neededForValidation.TryGetValue(kind, out var set))
            {
                var catalog = Catalog.Catalog;
                var needed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var rule in catalog.Rules)
                {
                    needed.Add(rule.Field);
                    needed.UnionWith(rule.Others);
                }

                needed.UnionWith(catalog.Fields.Where(f => f.Required && f.Source == FieldSource.Typed && f.Frequency == kind).Select(f => f.Id));
                set = needed;
                _neededForValidation[kind] = set;
            }

            return set;
        }
    }

    private static CatalogBundle LoadCatalog(ICatalogSource source, ILogger logger)
    {
        // Every handler reads the catalog synchronously; the first one waits for it once, off any request context.
        var bundle = Task.Run(() => CatalogLoader.LoadAsync(source, period: null, CancellationToken.None)).GetAwaiter().GetResult();
        logger.LogInformation(
            "Loaded catalog {CatalogVersion}: {FieldCount} fields, {TemplateCount} templates",
            bundle.Catalog.Version, bundle.Catalog.Fields.Count, bundle.Templates.Count);
        return bundle;
    }
}
