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
/// Coalescing consolidation by marker (docs/storage-design.md, "Freshness"): one small document per (period, district or
/// city) collects what changed. The first mark of a window enqueues the org's unit with a visibility delay of
/// <c>Consolidation__CoalesceSeconds</c>; later marks only add to the document while that message waits. The unit claims
/// the document's work when it starts (so a change marked after that sends a new delayed unit and is never lost), builds
/// it, and removes its claim when done; a unit that died leaves its claim, which its retry (same ticket) or, after the
/// visibility timeout, any later unit of the org takes over. Every write is conditional on the version read.
/// </summary>
public sealed class PendingConsolidation(
    IPendingConsolidationStore store,
    IConsolidationQueue queue,
    IOptions<ConsolidationQueueOptions> options,
    TimeProvider time,
    ILogger<PendingConsolidation> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The coalescing window: the delay of a marked unit.</summary>
    public TimeSpan Window => TimeSpan.FromSeconds(options.Value.CoalesceSeconds);

    /// <summary>After this a claim is taken to belong to a unit that died (the queue's visibility timeout).</summary>
    private TimeSpan ClaimLifetime => TimeSpan.FromSeconds(options.Value.VisibilityTimeoutSeconds);

    /// <summary>
    /// Adds <paramref name="work"/> to the org's marker and, unless its unit is already waiting in the queue, enqueues the
    /// unit to run after the window; true when this call enqueued it.
    /// </summary>
    public async Task<bool> MarkAsync(Period period, string orgCode, PendingWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var send = await UpdateAsync(period, orgCode, (marker, now) =>
        {
            // A message that has not been claimed long after it was due is taken as lost (a send that failed after the
            // marker was written); sending another costs at most one empty unit.
            var waiting = marker.QueuedAt is { } at && now - at < Window + ClaimLifetime;
            return (marker with { Pending = marker.Pending.Union(work), QueuedAt = waiting ? marker.QueuedAt : now }, !waiting);
        }, cancellationToken);
        if (send)
        {
            await SendAsync(period, orgCode, cancellationToken);
        }

        return send;
    }

    /// <summary>
    /// Takes the org's waiting work for the unit with <paramref name="ticket"/>: what was marked, what this ticket claimed
    /// on an earlier attempt, and the claims of units that died. A change marked after this enqueues a new unit.
    /// </summary>
    public Task<ClaimedWork> ClaimAsync(Period period, string orgCode, string ticket, CancellationToken cancellationToken)
        => UpdateAsync(period, orgCode, (marker, now) =>
        {
            var mine = marker.Claims.Where(c => c.Ticket == ticket || now - c.Since >= ClaimLifetime).ToList();
            var work = mine.Aggregate(marker.Pending, (sum, c) => sum.Union(c.Work));
            var others = marker.Claims.Except(mine).ToList();
            var next = marker with
            {
                Pending = PendingWork.None,
                QueuedAt = null,
                Claims = work.IsEmpty ? others : [.. others, new PendingClaim(ticket, now, work)],
            };
            return (work.IsEmpty && mine.Count == 0 && marker.QueuedAt is null ? null : next, new ClaimedWork(work, marker.DeferredSince));
        }, cancellationToken);

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
        var send = await UpdateAsync(period, orgCode, (marker, now) =>
        {
            var queued = marker.QueuedAt is { } at && now - at < Window + ClaimLifetime;
            return (marker with
            {
                Pending = marker.Pending.Union(work),
                Claims = [.. marker.Claims.Where(c => c.Ticket != ticket)],
                DeferredSince = waiting ? marker.DeferredSince ?? now : marker.DeferredSince,
                QueuedAt = queued ? marker.QueuedAt : now,
            }, !queued);
        }, cancellationToken);
        if (send)
        {
            await SendAsync(period, orgCode, cancellationToken);
        }
    }

    /// <summary>
    /// Those of <paramref name="orgCodes"/> with work marked or a unit running (a live claim) for the period, and whether a
    /// unit is running.
    /// </summary>
    public async Task<IReadOnlyList<BusyOrg>> BusyAsync(Period period, IEnumerable<string> orgCodes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var busy = new List<BusyOrg>();
        await Parallel.ForEachAsync(orgCodes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (org, ct) =>
        {
            var stored = await store.GetAsync(period, org, ct);
            if (stored is not null && Parse(stored.Content) is { } marker)
            {
                var running = marker.Claims.Any(c => now - c.Since < ClaimLifetime);
                if (running || !marker.Pending.IsEmpty)
                {
                    lock (busy)
                    {
                        busy.Add(new BusyOrg(org, running));
                    }
                }
            }
        });
        return [.. busy.OrderBy(b => b.Code, StringComparer.Ordinal)];
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
    internal sealed record PendingMarker(
        [property: JsonPropertyName("pending")] PendingWork Pending,
        [property: JsonPropertyName("queuedAt")] DateTimeOffset? QueuedAt,
        [property: JsonPropertyName("claims")] IReadOnlyList<PendingClaim> Claims,
        [property: JsonPropertyName("deferredSince")] DateTimeOffset? DeferredSince)
    {
        public static PendingMarker Empty { get; } = new(PendingWork.None, null, [], null);
    }

    /// <summary>Work a running unit took, by its message's ticket.</summary>
    internal sealed record PendingClaim(
        [property: JsonPropertyName("ticket")] string Ticket,
        [property: JsonPropertyName("since")] DateTimeOffset Since,
        [property: JsonPropertyName("work")] PendingWork Work);
}
