using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// What waits to be rebuilt for one (period, district or city): the templates, and the townships (of a district) or
/// districts (of a city) whose inputs changed. Unions only grow, so marks from any number of writers add up.
/// </summary>
public sealed record PendingWork(
    [property: JsonPropertyName("templates")] IReadOnlyList<string> Templates,
    [property: JsonPropertyName("orgs")] IReadOnlyList<string> Orgs)
{
    public static PendingWork None { get; } = new([], []);

    [JsonIgnore]
    public bool IsEmpty => Templates.Count == 0;

    public PendingWork Union(PendingWork other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.IsEmpty ? this : IsEmpty ? other : new(
            [.. Templates.Union(other.Templates, StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. Orgs.Union(other.Orgs, StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }
}

/// <summary>An org with work marked or a unit running it (<paramref name="Running"/>).</summary>
public sealed record BusyOrg(string Code, bool Running);

/// <summary>What a unit took from its marker, and since when its city has been waiting for busy districts.</summary>
public sealed record ClaimedWork(PendingWork Work, DateTimeOffset? DeferredSince);

/// <summary>
/// Coalescing consolidation by marker (docs/storage-design.md, "Freshness"). A mark appends what changed to the (period,
/// district or city)'s log in one request and reads nothing; the first mark since the log was last emptied enqueues the
/// org's unit with a visibility delay of <c>Consolidation__CoalesceSeconds</c>, and later ones only add to the log while
/// that message waits. The unit claims when it starts: it takes the log's marks into its claim on the marker document
/// (conditional on the version read) and then empties the log on the condition that no mark came since — so a change
/// marked after the claim finds an empty log and sends a new delayed unit, and none is ever lost. It builds the claimed
/// work and removes its claim when done; a unit that died leaves its claim, which its retry (same ticket) or, after the
/// visibility timeout, any later unit of the org takes over.
/// </summary>
public sealed class PendingConsolidation(
    IPendingConsolidationStore store,
    IConsolidationQueue queue,
    IOptions<ConsolidationQueueOptions> options,
    TimeProvider time,
    ILogger<PendingConsolidation> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A mark that lands as a multiple of this in a log that was not emptied sends a unit too: the log's first mark may
    /// have died between its append and its send, and a duplicate unit costs only one empty claim.
    /// </summary>
    internal const int ResendEvery = 50;

    /// <summary>Tries of a claim to empty the log before it leaves the rest to the next unit.</summary>
    private const int MaxEmptyAttempts = 3;

    /// <summary>The coalescing window: the delay of a marked unit.</summary>
    public TimeSpan Window => TimeSpan.FromSeconds(options.Value.CoalesceSeconds);

    /// <summary>After this a claim is taken to belong to a unit that died (the queue's visibility timeout).</summary>
    private TimeSpan ClaimLifetime => TimeSpan.FromSeconds(options.Value.VisibilityTimeoutSeconds);

    /// <summary>
    /// Adds <paramref name="work"/> to the org's log of marks (one request, no read) and, when it is the first mark since
    /// the log was emptied, enqueues the unit to run after the window; true when this call enqueued it.
    /// </summary>
    public async Task<bool> MarkAsync(Period period, string orgCode, PendingWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var count = await store.AppendMarkAsync(period, orgCode, JsonSerializer.Serialize(work, Json) + "\n", cancellationToken);
        var send = count == 1 || count % ResendEvery == 0;
        if (send)
        {
            await SendAsync(period, orgCode, cancellationToken);
        }

        return send;
    }

    /// <summary>
    /// Takes the org's waiting work for the unit with <paramref name="ticket"/>: the log's marks, what this ticket claimed
    /// on an earlier attempt, and the claims of units that died. A change marked after this enqueues a new unit.
    /// </summary>
    public async Task<ClaimedWork> ClaimAsync(Period period, string orgCode, string ticket, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var log = await store.ReadMarksAsync(period, orgCode, cancellationToken);
            var logged = log is null ? PendingWork.None : ParseMarks(log.Content);
            // The claim is recorded before the log is emptied: a unit that dies in between leaves the marks in the log too,
            // so they are built twice at worst, never lost.
            var claimed = await UpdateAsync(period, orgCode, (marker, now) =>
            {
                var mine = marker.Claims.Where(c => c.Ticket == ticket || now - c.Since >= ClaimLifetime).ToList();
                var work = mine.Aggregate(marker.Pending.Union(logged), (sum, c) => sum.Union(c.Work));
                var others = marker.Claims.Except(mine).ToList();
                var next = marker with
                {
                    Pending = PendingWork.None,
                    Claims = work.IsEmpty ? others : [.. others, new PendingClaim(ticket, now, work)],
                };
                return (work.IsEmpty && mine.Count == 0 && marker.Pending.IsEmpty ? null : next, new ClaimedWork(work, marker.DeferredSince));
            }, cancellationToken);
            if (log is null || log.Content.Length == 0 || await store.TryEmptyMarksAsync(period, orgCode, log.ETag, cancellationToken))
            {
                return claimed;
            }

            // A mark came after the read: it is claimed too (the claim under this ticket only grows), then the log emptied.
            if (attempt >= MaxEmptyAttempts)
            {
                // Marks keep coming faster than a claim's three requests (a burst on a slow store): build what is claimed now
                // and leave the log as it is, with a unit coming after the window for it; the marks claimed here are
                // claimed again then, built twice at worst. One unit per window while the burst lasts.
                logger.LogInformation("Pending consolidation log {Org} {Period}: marks kept coming while claiming; the next unit takes the rest", orgCode, period.ToString());
                await SendAsync(period, orgCode, cancellationToken);
                return claimed;
            }
        }
    }

    /// <summary>
    /// A unit of an explicit plan (the timer's, <c>consolidate</c>'s: no marker sent it) announces that it is running, so
    /// that its city waits for it (<see cref="BusyAsync"/>); it takes no marked work. <see cref="CompleteAsync"/> ends it.
    /// </summary>
    public Task BeginAsync(Period period, string orgCode, string ticket, CancellationToken cancellationToken)
        => UpdateAsync(period, orgCode, (marker, now) => (marker with { Claims = [.. marker.Claims, new PendingClaim(ticket, now, PendingWork.None)] }, true), cancellationToken);

    /// <summary>How long a city unit of an explicit plan waits at most for its districts' running units.</summary>
    public TimeSpan ExplicitCityWait => TimeSpan.FromSeconds(Math.Min(120, options.Value.VisibilityTimeoutSeconds / 4.0));

    /// <summary>The unit with <paramref name="ticket"/> is done: its claim goes (and a city's waiting for districts ends).</summary>
    public Task CompleteAsync(Period period, string orgCode, string ticket, CancellationToken cancellationToken)
        => UpdateAsync(period, orgCode, (marker, _) =>
        {
            var claims = marker.Claims.Where(c => c.Ticket != ticket).ToList();
            return (claims.Count == marker.Claims.Count && marker.DeferredSince is null ? null : marker with { Claims = claims, DeferredSince = null }, true);
        }, cancellationToken);

    /// <summary>
    /// A unit puts its claimed work back and makes sure a unit of the org comes after the window: a city unit that found
    /// districts still busy (<paramref name="waiting"/>: it notes since when it has been waiting), or a district's work
    /// that a city unit took over and failed to build.
    /// </summary>
    public async Task PutBackAsync(Period period, string orgCode, string ticket, PendingWork work, bool waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        // Marked again first (a unit comes for it), then the claim released: dying in between leaves it claimed and marked.
        if (!work.IsEmpty)
        {
            await MarkAsync(period, orgCode, work, cancellationToken);
        }

        await UpdateAsync(period, orgCode, (marker, now) => (marker with
        {
            Claims = [.. marker.Claims.Where(c => c.Ticket != ticket)],
            DeferredSince = waiting ? marker.DeferredSince ?? now : marker.DeferredSince,
        }, true), cancellationToken);
    }

    /// <summary>
    /// Those of <paramref name="orgCodes"/> with work marked or a unit running (a live claim) for the period, and whether a
    /// unit is running.
    /// </summary>
    public async Task<IReadOnlyList<BusyOrg>> BusyAsync(Period period, IEnumerable<string> orgCodes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var marked = await store.MarkedAsync(period, cancellationToken);
        var busy = new List<BusyOrg>();
        await Parallel.ForEachAsync(orgCodes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (org, ct) =>
        {
            var stored = await store.GetAsync(period, org, ct);
            var marker = stored is null ? PendingMarker.Empty : Parse(stored.Content) ?? PendingMarker.Empty;
            var running = marker.Claims.Any(c => now - c.Since < ClaimLifetime);
            if (running || marked.Contains(org) || !marker.Pending.IsEmpty)
            {
                lock (busy)
                {
                    busy.Add(new BusyOrg(org, running));
                }
            }
        });
        return [.. busy.OrderBy(b => b.Code, StringComparer.Ordinal)];
    }

    /// <summary>The work marked for the org and not yet built: what waits (in the log of marks or on the marker), and what a running unit (a live claim) has taken.</summary>
    public async Task<PendingWork> WaitingAsync(Period period, string orgCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var log = store.ReadMarksAsync(period, orgCode, cancellationToken);
        var stored = await store.GetAsync(period, orgCode, cancellationToken);
        var logged = await log is { } marks ? ParseMarks(marks.Content) : PendingWork.None;
        return stored is not null && Parse(stored.Content) is { } marker
            ? marker.Claims.Where(c => now - c.Since < ClaimLifetime).Aggregate(marker.Pending.Union(logged), (sum, c) => sum.Union(c.Work))
            : logged;
    }

    /// <summary>The union of a log's marks, one JSON document per line; a line that cannot be read is skipped (the timer catches up).</summary>
    private PendingWork ParseMarks(string content)
    {
        var work = PendingWork.None;
        foreach (var line in content.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                work = work.Union(JsonSerializer.Deserialize<PendingWork>(line, Json) ?? PendingWork.None);
            }
            catch (JsonException ex)
            {
                logger.LogWarning(ex, "A pending consolidation mark could not be read; the next timer run rebuilds its work");
            }
        }

        return work;
    }

    /// <summary>Sends <paramref name="unit"/> again, to be handled one window from now.</summary>
    public Task RequeueAsync(ConsolidationUnit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return queue.EnqueueDelayedAsync(unit.ToMessage(), Window, cancellationToken);
    }

    private Task SendAsync(Period period, string orgCode, CancellationToken cancellationToken)
        => queue.EnqueueDelayedAsync(new ConsolidationUnit(period.ToString(), orgCode) { Ticket = Guid.NewGuid().ToString("N") }.ToMessage(), Window, cancellationToken);

    /// <summary>Read, change, write on the condition of the version read; again from the read when another writer came first.</summary>
    /// <param name="change">The next marker (null: nothing to write) and the result.</param>
    private async Task<T> UpdateAsync<T>(Period period, string orgCode, Func<PendingMarker, DateTimeOffset, (PendingMarker? Next, T Result)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await store.GetAsync(period, orgCode, cancellationToken);
            var current = stored is null ? PendingMarker.Empty : Parse(stored.Content) ?? PendingMarker.Empty;
            var (next, result) = change(current, time.GetUtcNow());
            if (next is null || await store.TrySaveAsync(period, orgCode, JsonSerializer.Serialize(next, Json), stored?.ETag, cancellationToken))
            {
                return result;
            }

            if (attempt % 20 == 0)
            {
                logger.LogWarning("Pending consolidation marker {Org} {Period}: {Attempts} writers came first; still trying", orgCode, period.ToString(), attempt);
            }

            // Spread the retries of writers that collided.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 20))), time, cancellationToken);
        }
    }

    private PendingMarker? Parse(string content)
    {
        try
        {
            return JsonSerializer.Deserialize<PendingMarker>(content, Json);
        }
        catch (JsonException ex)
        {
            // Another version's marker: its work is redone by the next timer run, and the next write replaces it.
            logger.LogWarning(ex, "A pending consolidation marker could not be read; it is replaced");
            return null;
        }
    }

    /// <summary>The stored marker.</summary>
    /// <remarks><c>pending</c> is what markers held before marks went to the log; a claim still takes it.</remarks>
    internal sealed record PendingMarker(
        [property: JsonPropertyName("pending")] PendingWork Pending,
        [property: JsonPropertyName("claims")] IReadOnlyList<PendingClaim> Claims,
        [property: JsonPropertyName("deferredSince")] DateTimeOffset? DeferredSince)
    {
        public static PendingMarker Empty { get; } = new(PendingWork.None, [], null);
    }

    /// <summary>Work a running unit took, by its message's ticket.</summary>
    internal sealed record PendingClaim(
        [property: JsonPropertyName("ticket")] string Ticket,
        [property: JsonPropertyName("since")] DateTimeOffset Since,
        [property: JsonPropertyName("work")] PendingWork Work);
}
