using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Tests.Auth;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Application.Tests.Reference;

/// <summary>
/// A cold host's first burst: many requests for the same period arrive before the catalog is loaded. They must share one
/// question to storage and one load, and nothing on a request's path may hold a thread while storage answers.
/// </summary>
public sealed class ReferenceDataTests
{
    private const int Burst = 64;
    private static readonly Period Month = Period.Month(2026, 11);

    [Fact]
    public async Task A_burst_of_first_calls_for_a_period_asks_storage_once_and_loads_the_version_once()
    {
        var source = new GatedCatalogSource();
        var reference = NewReference(source, new ManualClock(DateTimeOffset.UnixEpoch));

        var calls = Enumerable.Range(0, Burst).Select(_ => reference.CatalogForAsync(Month, CancellationToken.None)).ToList();
        Assert.All(calls, call => Assert.False(call.IsCompleted));
        source.Answer();
        var bundles = await Task.WhenAll(calls);

        Assert.Equal(1, source.VersionQuestions);
        Assert.Equal(1, source.Loads);
        Assert.All(bundles, bundle => Assert.Same(bundles[0], bundle));
    }

    [Fact]
    public async Task Reading_a_period_not_loaded_yet_without_waiting_never_waits_for_storage_and_starts_one_load()
    {
        var source = new GatedCatalogSource();
        var reference = NewReference(source, new ManualClock(DateTimeOffset.UnixEpoch));

        // Storage does not answer until the calls below have returned: a call that waited for it would never return.
        var calls = Enumerable.Range(0, Burst).Select(_ => OffThePool(() => Record.Exception(() => reference.CatalogFor(Month)))).ToList();
        var returned = await Returns(Task.WhenAll(calls));
        source.Answer();

        Assert.True(returned, "CatalogFor waited for storage");
        Assert.All(await Task.WhenAll(calls), failure => Assert.IsType<InvalidOperationException>(failure));
        // The load those calls started is the one a later caller finds.
        var loaded = await reference.CatalogForAsync(Month, CancellationToken.None);
        Assert.Same(loaded, reference.CatalogFor(Month));
        Assert.Equal(1, source.VersionQuestions);
        Assert.Equal(1, source.Loads);
    }

    [Fact]
    public async Task A_stale_version_is_read_without_waiting_while_one_background_question_refreshes_it()
    {
        var source = new GatedCatalogSource();
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var reference = NewReference(source, clock);
        source.Answer();
        var first = await reference.CatalogForAsync(Month, CancellationToken.None);
        source.Close();
        clock.Advance(reference.CatalogRefreshInterval);

        // Storage does not answer until the reads below have returned, after the version was made stale by time and
        // by an invalidation (as after this host published one).
        var reads = Enumerable.Range(0, Burst).Select(_ => OffThePool(() => reference.CatalogFor(Month))).ToList();
        var readsReturned = await Returns(Task.WhenAll(reads));
        reference.InvalidateCatalog();
        var afterInvalidation = OffThePool(() => reference.CatalogFor(Month));
        var afterInvalidationReturned = await Returns(afterInvalidation);
        var questions = source.VersionQuestions;
        source.Answer();

        Assert.True(readsReturned && afterInvalidationReturned, "CatalogFor waited for storage");
        Assert.All(await Task.WhenAll(reads), read => Assert.Same(first, read));
        Assert.Same(first, await afterInvalidation);
        Assert.Equal(2, questions);
        await reference.CatalogForAsync(Month, CancellationToken.None);
        Assert.Equal(1, source.Loads);
    }

    /// <summary>How long a call that must not wait for storage is given before the test calls it stuck (storage never answers meanwhile).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static async Task<bool> Returns(Task call) => await Task.WhenAny(call, Task.Delay(Bound)) == call;

    /// <summary>Runs a synchronous call on its own thread, so that a call stuck waiting for storage cannot stall the test's threads.</summary>
    private static Task<T> OffThePool<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static ReferenceData NewReference(ICatalogSource source, TimeProvider clock) =>
        new(source, new NoOrgs(), clock, Microsoft.Extensions.Options.Options.Create(new PipelineOptions()), NullLogger<ReferenceData>.Instance);

    /// <summary>The shipped catalog, whose answer to "which version" is held back until the test lets it through; counts every call.</summary>
    private sealed class GatedCatalogSource : ICatalogSource
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _versionQuestions;
        private int _loads;

        public int VersionQuestions => Volatile.Read(ref _versionQuestions);

        public int Loads => Volatile.Read(ref _loads);

        public void Answer()
        {
            lock (_lock)
            {
                _gate.TrySetResult();
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public async Task<string> GetVersionAsync(Period? period, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _versionQuestions);
            Task gate;
            lock (_lock)
            {
                gate = _gate.Task;
            }

            await gate;
            return await FileCatalogSource.Shipped.GetVersionAsync(period, cancellationToken);
        }

        public Task<CatalogDocumentSet> LoadAsync(string version, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _loads);
            return FileCatalogSource.Shipped.LoadAsync(version, cancellationToken);
        }
    }

    private sealed class NoOrgs : IOrgRegistrySource
    {
        public Task<(OrgRegistry Registry, string Version)> LoadAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SaveAsync(IReadOnlyCollection<Org> orgs, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
