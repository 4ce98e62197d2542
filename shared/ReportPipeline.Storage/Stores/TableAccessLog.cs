using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// <see cref="IAccessLog"/> in the <c>AccessLog</c> table: partition <c>yyyyMM</c> (UTC), row key the inverted ticks of
/// the read plus a random suffix, so that a month reads newest first and two reads in one tick never collide. Records
/// are only ever added; a month is dropped whole when it leaves retention (docs/storage-design.md).
/// </summary>
public sealed class TableAccessLog(TableClient table) : IAccessLog
{
    public async Task AppendAsync(IReadOnlyList<AccessRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var month in records.GroupBy(r => Partition(r.At)))
        {
            foreach (var chunk in month.Chunk(TableLimits.MaxTransactionActions))
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, Encode(r))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<AccessLogPage> ReadAsync(
        DateTimeOffset from, DateTimeOffset to, Func<string, bool> include, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(include);
        var (startMonth, afterRow) = continuationToken is null ? (Month(to.AddTicks(-1)), null) : ParseToken(continuationToken);
        var records = new List<AccessRecord>(pageSize);
        for (var month = startMonth; month >= Month(from); month = month.AddMonths(-1))
        {
            var partition = Partition(month);
            // Inside a month the row keys run newest first; the range [to, from] is a row key range.
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {RowFloor(to)} and RowKey lt {RowFloor(from)}");
            if (afterRow is not null && month == startMonth)
            {
                filter += TableClient.CreateQueryFilter($" and RowKey gt {afterRow}");
            }

            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var record = Decode(entity);
                if (!include(record.Org))
                {
                    continue;
                }

                records.Add(record);
                if (records.Count == pageSize)
                {
                    return new AccessLogPage(records, Token(month, entity.RowKey));
                }
            }
        }

        return new AccessLogPage(records, null);
    }

    private static TableEntity Encode(AccessRecord r) => new(Partition(r.At), RowKey(r.At))
    {
        ["At"] = r.At,
        ["Subject"] = r.Subject,
        ["CallerOrg"] = r.CallerOrg,
        ["Dept"] = r.Dept,
        ["Route"] = r.Route,
        ["Org"] = r.Org,
        ["Period"] = r.Period,
        // Table properties hold 64 KiB of text; a request for hundreds of fields is cut rather than refused.
        ["What"] = r.What is { Length: > 8000 } what ? what[..8000] + "…" : r.What,
        ["Villages"] = r.Villages,
    };

    private static AccessRecord Decode(TableEntity e) => new(
        e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        e.GetString("Subject") ?? "",
        e.GetString("CallerOrg") ?? "",
        e.GetString("Dept"),
        e.GetString("Route") ?? "",
        e.GetString("Org") ?? "",
        e.GetString("Period"),
        e.GetString("What"),
        e.GetInt32("Villages") ?? 0);

    private static DateTime Month(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    private static string Partition(DateTimeOffset at) => Partition(Month(at));

    private static string Partition(DateTime month) => month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    private static string RowFloor(DateTimeOffset at) => Inverted(at);

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    private static string RowKey(DateTimeOffset at)
    {
        Span<byte> random = stackalloc byte[6];
        RandomNumberGenerator.Fill(random);
        return Inverted(at) + "_" + Convert.ToHexStringLower(random);
    }

    private static string Token(DateTime month, string rowKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Partition(month) + "|" + rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTime Month, string RowKey) ParseToken(string token)
    {
        try
        {
            var text = token.Replace('-', '+').Replace('_', '/');
            text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Split('|');
            if (parts.Length == 2 && DateTime.TryParseExact(parts[0], "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month)
                && parts[1].Length is > 19 and < 40)
            {
                return (DateTime.SpecifyKind(month, DateTimeKind.Utc), parts[1]);
            }
        }
        catch (FormatException)
        {
        }

        throw new FormatException("Not an access log continuation token.");
    }
}

/// <summary>The <c>prefill</c> container as an inbox: the submission inbox's listing, reading and deleting over another container.</summary>
public sealed class BlobPrefillInbox(Azure.Storage.Blobs.BlobContainerClient container) : IPrefillInbox
{
    private readonly BlobSubmissionInbox _inner = new(container);

    public IAsyncEnumerable<DroppedFile> ListAsync(CancellationToken cancellationToken = default) => _inner.ListAsync(cancellationToken);

    public Task<DroppedFile?> GetAsync(string name, CancellationToken cancellationToken = default) => _inner.GetAsync(name, cancellationToken);

    public Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default) => _inner.ReadAsync(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => _inner.DeleteAsync(name, cancellationToken);

    public Task PutAsync(string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) =>
        _inner.PutAsync(name, content, contentType, cancellationToken);
}
