using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// The catalog version in force for each period, from <see cref="ICatalogSource"/> (published versions in blob storage;
/// a version once parsed is kept, since a published version never changes; which version is in force for a period is
/// asked again once the answer is <c>Pipeline__CatalogRefreshSeconds</c> old, so an admitted version is picked up
/// without a restart), and the org registry (reloaded at most every <see cref="RefreshInterval"/>, because <c>seed</c>
/// may replace it while a host runs).
/// </summary>
public sealed class ReferenceData(
    ICatalogSource catalogSource,
    IOrgRegistrySource orgSource,
    TimeProvider time,
    IOptions<PipelineOptions> options,
    ILogger<ReferenceData> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>The key under which the newest version (no period) is cached.</summary>
    private const string Newest = "";

    private readonly ConcurrentDictionary<string, InForce> _inForce = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CatalogBundle>>> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _orgLock = new(1, 1);
    private readonly Dictionary<(CatalogBundle, PeriodKind), IReadOnlySet<string>> _neededForValidation = [];
    private OrgRegistry? _orgs;
    private DateTimeOffset _orgsLoadedAt;
    private int _reload;

    /// <summary>How long a host may keep using the version it found in force for a period (<c>Pipeline__CatalogRefreshSeconds</c>).</summary>
    public TimeSpan CatalogRefreshInterval => TimeSpan.FromSeconds(options.Value.CatalogRefreshSeconds);

    /// <summary>
    /// The newest published version (the one that comes into force last): for what concerns no period — the command
    /// line, the catalog page without a period. Everything about a period uses <see cref="CatalogForAsync"/>.
    /// </summary>
    public CatalogBundle Catalog => CatalogFor(null);

    /// <summary>The catalog version in force for <paramref name="period"/> (null: the newest).</summary>
    public async Task<CatalogBundle> CatalogForAsync(Period? period, CancellationToken cancellationToken)
    {
        var key = period?.ToString() ?? Newest;
        if (!_inForce.TryGetValue(key, out var known) || time.GetUtcNow() - known.CheckedAt >= CatalogRefreshInterval)
        {
            known = await RefreshAsync(key, period, known, cancellationToken).ConfigureAwait(false);
        }

        return await VersionAsync(known.Version).ConfigureAwait(false);
    }

    /// <summary>
    /// The same for code that cannot wait: the version last found in force for the period (a stale answer is refreshed
    /// in the background and used meanwhile); only the first call for a period waits for storage.
    /// </summary>
    public CatalogBundle CatalogFor(Period? period)
    {
        var key = period?.ToString() ?? Newest;
        if (_inForce.TryGetValue(key, out var known) && _versions.TryGetValue(known.Version, out var loaded) && loaded.Value.IsCompletedSuccessfully)
        {
            if (time.GetUtcNow() - known.CheckedAt >= CatalogRefreshInterval)
            {
                _ = Task.Run(() => CatalogForAsync(period, CancellationToken.None));
            }

            return loaded.Value.Result;
        }

        // Off any request context, so that waiting here cannot deadlock.
        return Task.Run(() => CatalogForAsync(period, CancellationToken.None)).GetAwaiter().GetResult();
    }

    /// <summary>Forgets which versions are in force, so that the next call asks storage (after this host published one).</summary>
    public void InvalidateCatalog() => _inForce.Clear();

    private async Task<InForce> RefreshAsync(string key, Period? period, InForce? known, CancellationToken cancellationToken)
    {
        try
        {
            var version = await catalogSource.GetVersionAsync(period, cancellationToken).ConfigureAwait(false);
            var fresh = new InForce(version, time.GetUtcNow());
            _inForce[key] = fresh;
            if (known is not null && !string.Equals(known.Version, version, StringComparison.Ordinal))
            {
                logger.LogInformation("Catalog version in force for {Period} is now {CatalogVersion} (was {PreviousVersion})", key.Length == 0 ? "newest" : key, version, known.Version);
            }

            return fresh;
        }
        catch (Exception ex) when (known is not null && ex is not OperationCanceledException)
        {
            // Storage trouble must not turn every request into a failure while a good answer is at hand.
            logger.LogWarning(ex, "Could not ask which catalog version is in force for {Period}; keeping {CatalogVersion}", key, known.Version);
            return known;
        }
    }

    private Task<CatalogBundle> VersionAsync(string version)
    {
        var lazy = _versions.GetOrAdd(version, v => new Lazy<Task<CatalogBundle>>(() => LoadVersionAsync(v)));
        if (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // A failed load is not remembered: the next caller tries again.
            _versions.TryRemove(new KeyValuePair<string, Lazy<Task<CatalogBundle>>>(version, lazy));
        }

        return lazy.Value;
    }

    private async Task<CatalogBundle> LoadVersionAsync(string version)
    {
        var started = time.GetTimestamp();
        var bundle = CatalogLoader.Load(await catalogSource.LoadAsync(version, CancellationToken.None).ConfigureAwait(false));
        logger.LogInformation(
            "Loaded catalog {SourceVersion} ({CatalogVersion}): {FieldCount} fields, {TemplateCount} templates in {ElapsedMs} ms",
            version, bundle.Catalog.Version, bundle.Catalog.Fields.Count, bundle.Templates.Count, time.GetElapsedTime(started).TotalMilliseconds);
        return bundle;
    }

    private sealed record InForce(string Version, DateTimeOffset CheckedAt);

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

    /// <summary>Fields whose stored value validation may need: every field named by a cross-field rule, and the required typed fields (of the period's catalog version).</summary>
    public IReadOnlySet<string> FieldsNeededForValidation(Period period)
    {
        var bundle = CatalogFor(period);
        var kind = period.Kind;
        lock (_neededForValidation)
        {
            if (!_neededForValidation.TryGetValue((bundle, kind), out var set))
            {
                var catalog = bundle.Catalog;
                var needed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var rule in catalog.Rules)
                {
                    needed.Add(rule.Field);
                    needed.UnionWith(rule.Others);
                }

                needed.UnionWith(catalog.Fields.Where(f => f.Required && f.Source == FieldSource.Typed && f.Frequency == kind).Select(f => f.Id));
                set = needed;
                _neededForValidation[(bundle, kind)] = set;
            }

            return set;
        }
    }
}
