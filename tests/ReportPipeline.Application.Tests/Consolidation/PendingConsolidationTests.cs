using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Tests.Consolidation;

/// <summary>The freshness marks' protocol over a log that any number of writers append to (docs/storage-design.md, "Freshness").</summary>
public sealed class PendingConsolidationTests
{
    private const string District = "500103000000";
    private static readonly Period Month = Period.Parse("2026-11");

    [Fact]
    public async Task Only_the_first_mark_since_the_log_was_emptied_sends_a_unit_and_a_claim_takes_every_mark()
    {
        var (store, queue, pending) = Create();

        Assert.True(await pending.MarkAsync(Month, District, new(["t1"], ["500103001000"]), CancellationToken.None));
        Assert.False(await pending.MarkAsync(Month, District, new(["t2"], ["500103002000"]), CancellationToken.None));
        var claimed = await pending.ClaimAsync(Month, District, "ticket-1", CancellationToken.None);

        Assert.Single(queue.Sent);
        Assert.Equal(["t1", "t2"], claimed.Work.Templates);
        Assert.Equal(["500103001000", "500103002000"], claimed.Work.Orgs);
        Assert.Equal("", store.Log);
        // The log was emptied: the next mark is the first of a new window and sends the next unit.
        Assert.True(await pending.MarkAsync(Month, District, new(["t3"], ["500103003000"]), CancellationToken.None));
        Assert.Equal(2, queue.Sent.Count);
    }

    // Marks arriving faster than a claim's requests: the claim must finish, and the marks it could not take away must
    // still have a unit coming for them.
    [Fact]
    public async Task A_claim_that_cannot_empty_the_log_builds_what_it_took_and_sends_the_next_unit()
    {
        var (store, queue, pending) = Create();
        await pending.MarkAsync(Month, District, new(["t1"], ["500103001000"]), CancellationToken.None);
        store.MarkBeforeEveryEmpty = true;

        var claimed = await pending.ClaimAsync(Month, District, "ticket-1", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains("t1", claimed.Work.Templates);
        Assert.Equal(2, queue.Sent.Count);
        Assert.NotEqual("", store.Log);
    }

    private static (FakeStore Store, FakeQueue Queue, PendingConsolidation Pending) Create()
    {
        var store = new FakeStore();
        var queue = new FakeQueue();
        var pending = new PendingConsolidation(store, queue, Microsoft.Extensions.Options.Options.Create(new ConsolidationQueueOptions()), TimeProvider.System, NullLogger<PendingConsolidation>.Instance);
        return (store, queue, pending);
    }

    /// <summary>One org's marker and log in memory, with versions as counters.</summary>
    private sealed class FakeStore : IPendingConsolidationStore
    {
        private readonly Lock _gate = new();
        private (string Content, int Version)? _marker;
        private int _logVersion;
        private int _blocks;

        public string Log { get; private set; } = "";

        /// <summary>Another writer's mark lands between every read of the log and the attempt to empty it (for the next 10).</summary>
        public bool MarkBeforeEveryEmpty { get; set; }

        private int _forced;

        public Task<VersionedDocument?> GetAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                return Task.FromResult(_marker is { } m ? new VersionedDocument(m.Content, m.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
            }
        }

        public Task<bool> TrySaveAsync(Period period, string orgCode, string content, string? etag, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                var current = _marker?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (current != etag)
                {
                    return Task.FromResult(false);
                }

                _marker = (content, (_marker?.Version ?? 0) + 1);
                return Task.FromResult(true);
            }
        }

        public Task<int> AppendMarkAsync(Period period, string orgCode, string line, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                Log += line;
                _logVersion++;
                return Task.FromResult(++_blocks);
            }
        }

        public Task<VersionedDocument?> ReadMarksAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                return Task.FromResult<VersionedDocument?>(new(Log, _logVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        public async Task<bool> TryEmptyMarksAsync(Period period, string orgCode, string etag, CancellationToken cancellationToken = default)
        {
            if (MarkBeforeEveryEmpty && Interlocked.Increment(ref _forced) <= 10)
            {
                await AppendMarkAsync(period, orgCode, JsonSerializer.Serialize(new { templates = new[] { "late" }, orgs = new[] { "500103009000" } }) + "\n", cancellationToken);
            }

            lock (_gate)
            {
                if (_logVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) != etag)
                {
                    return false;
                }

                (Log, _blocks) = ("", 0);
                _logVersion++;
                return true;
            }
        }

        public Task<IReadOnlySet<string>> MarkedAsync(Period period, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                return Task.FromResult<IReadOnlySet<string>>(Log.Length > 0 ? new HashSet<string> { District } : new HashSet<string>());
            }
        }
    }

    private sealed class FakeQueue : IConsolidationQueue
    {
        public List<string> Sent { get; } = [];

        public Task EnqueueAsync(IEnumerable<string> bodies, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task EnqueueDelayedAsync(string body, TimeSpan delay, CancellationToken cancellationToken = default)
        {
            lock (Sent)
            {
                Sent.Add(body);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<QueuedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task MoveToPoisonAsync(QueuedMessage message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> CountAsync(bool poison = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
