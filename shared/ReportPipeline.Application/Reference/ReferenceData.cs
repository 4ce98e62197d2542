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

    /// <summary>The version in force for each period (key: the period, or <see cref="Newest"/>), parsed, and when storage was asked.</summary>
    private readonly ConcurrentDictionary<string, InForce> _inForce = new(StringComparer.Ordinal);

    /// <summary>Which version is in force, being asked of storage: one question per period at a time, shared by every caller.</summary>
    private readonly ConcurrentDictionary<string, Task<InForce>> _asking = new(StringComparer.Ordinal);

    /// <summary>Each version, parsed or being loaded: loaded once, kept, since a published version never changes.</summary>
    private readonly ConcurrentDictionary<string, Task<CatalogBundle>> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _orgLock = new(1, 1);
    private readonly Dictionary<(CatalogBundle, PeriodKind), IReadOnlySet<string>> _neededForValidation = [];
    private OrgRegistry? _orgs;
    private DateTimeOffset _orgsLoadedAt;
    private int _reload;

    /// <summary>How long a host may keep using the version it found in force for a period (<c>Pipeline__CatalogRefreshSeconds</c>).</summary>
    public TimeSpan CatalogRefreshInterval => TimeSpan.FromSeconds(options.Value.CatalogRefreshSeconds);

    /// <summary>
    /// The newest published version (the one that comes into force last), as last loaded: for what concerns no period
    /// and cannot wait (the reporting calendar). Loaded at host start (<see cref="ReferenceWarmUp"/>) and before every request (<see cref="LoadSharedAsync"/>); code that can
    /// wait uses <see cref="CatalogForAsync"/> with no period.
    /// </summary>
    public CatalogBundle Catalog => CatalogFor(null);

    /// <summary>
    /// The catalog version in force for <paramref name="period"/> (null: the newest). Only the first call for a period,
    /// or one after <c>Pipeline__CatalogRefreshSeconds</c>, waits for storage; callers that arrive while storage is being
    /// asked share that one question and that one load, so a cold host's first burst of requests loads a version once.
    /// </summary>
    public async Task<CatalogBundle> CatalogForAsync(Period? period, CancellationToken cancellationToken)
    {
        var key = period?.ToString() ?? Newest;
        if (_inForce.TryGetValue(key, out var known) && !IsStale(known))
        {
            return known.Bundle;
        }

        var asked = await AskOnce(key, period, known).WaitAsync(cancellationToken).ConfigureAwait(false);
        return asked.Bundle;
    }

    /// <summary>
    /// The same for code that cannot wait, once the period's version has been loaded (by <see cref="CatalogForAsync"/>,
    /// which every request and queue message for the period calls first): never waits; a stale answer is used while it is
    /// asked again in the background.
    /// </summary>
    /// <exception cref="InvalidOperationException">When nothing has loaded the period's version yet.</exception>
    public CatalogBundle CatalogFor(Period? period)
    {
        var key = period?.ToString() ?? Newest;
        if (!_inForce.TryGetValue(key, out var known))
        {
            // A caller that forgot to load first fails (a bug to fix), but starts the load so that a retry finds it.
            InBackground(key, period, null);
            throw new InvalidOperationException(
                $"The catalog in force for {(period is null ? "the newest version" : period.ToString())} has not been loaded: await CatalogForAsync first.");
        }

        if (IsStale(known))
        {
            InBackground(key, period, known);
        }

        return known.Bundle;
    }

    /// <summary>
    /// Makes every version in force stale, so that the next call asks storage (after this host published one); until the
    /// answer comes, code that cannot wait keeps the version it had.
    /// </summary>
    public void InvalidateCatalog()
    {
        foreach (var (key, known) in _inForce)
        {
            _inForce.TryUpdate(key, known with { CheckedAt = DateTimeOffset.MinValue }, known);
        }
    }

    private bool IsStale(InForce known) => time.GetUtcNow() - known.CheckedAt >= CatalogRefreshInterval;

    /// <summary>Asks which version is in force for the period unless a question for it is already under way, and loads that version.</summary>
    private Task<InForce> AskOnce(string key, Period? period, InForce? known)
        => SingleFlight(_asking, key, () => AskAsync(key, period, known), keep: false);

    /// <summary>Asks without waiting for the answer; a failure is logged here, since no caller awaits it.</summary>
    private void InBackground(string key, Period? period, InForce? known)
        => _ = AskOnce(key, period, known).ContinueWith(
            asked => logger.LogWarning(asked.Exception, "Could not load the catalog version in force for {Period}", key.Length == 0 ? "newest" : key),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task<InForce> AskAsync(string key, Period? period, InForce? known)
    {
        string version;
        try
        {
            version = await catalogSource.GetVersionAsync(period, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (known is not null && ex is not OperationCanceledException)
        {
            // Storage trouble must not turn every request into a failure while a good answer is at hand.
            logger.LogWarning(ex, "Could not ask which catalog version is in force for {Period}; keeping {CatalogVersion}", key, known.Version);
            return known;
        }

        var bundle = await SingleFlight(_versions, version, () => LoadVersionAsync(version), keep: true).ConfigureAwait(false);
        var fresh = new InForce(version, bundle, time.GetUtcNow());
        _inForce[key] = fresh;
        if (known is not null && !string.Equals(known.Version, version, StringComparison.Ordinal))
        {
            logger.LogInformation("Catalog version in force for {Period} is now {CatalogVersion} (was {PreviousVersion})", key.Length == 0 ? "newest" : key, version, known.Version);
        }

        return fresh;
    }

    /// <summary>
    /// The task under way for <paramref name="key"/>, or a new one from <paramref name="start"/>: callers that arrive
    /// while it runs share it (nothing blocks: no lock, no wait). A failure is not remembered; a success is kept when
    /// <paramref name="keep"/> (a version, which never changes), else forgotten once done (a question, asked again later).
    /// </summary>
    private static Task<T> SingleFlight<T>(ConcurrentDictionary<string, Task<T>> flights, string key, Func<Task<T>> start, bool keep)
    {
        if (flights.TryGetValue(key, out var running))
        {
            return running;
        }

        var mine = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        running = flights.GetOrAdd(key, mine.Task);
        if (!ReferenceEquals(running, mine.Task))
        {
            return running;
        }

        _ = RunAsync();
        return mine.Task;

        async Task RunAsync()
        {
            try
            {
                var result = await start().ConfigureAwait(false);
                mine.SetResult(result);
                if (!keep)
                {
                    flights.TryRemove(new KeyValuePair<string, Task<T>>(key, mine.Task));
                }
            }
            catch (Exception ex)
            {
                flights.TryRemove(new KeyValuePair<string, Task<T>>(key, mine.Task));
                mine.SetException(ex);
            }
        }
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

    private sealed record InForce(string Version, CatalogBundle Bundle, DateTimeOffset CheckedAt);

    /// <summary>
    /// Loads (or refreshes when due) what code that cannot wait reads: the org registry (<see cref="CurrentOrgs"/>) and the
    /// newest catalog version (<see cref="Catalog"/>). Every request calls it first; the host calls it at start.
    /// </summary>
    public async Task LoadSharedAsync(CancellationToken cancellationToken)
    {
        await CatalogForAsync(null, cancellationToken).ConfigureAwait(false);
        await GetOrgsAsync(cancellationToken).ConfigureAwait(false);
    }

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

    /// <summary>Fields whose stored value validation may need: every field named by a cross-field rule, and the required typed fields of the period's kind (of the period's catalog version).</summary>
    public IReadOnlySet<string> FieldsNeededForValidation(CatalogBundle bundle, PeriodKind kind)
    {
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
