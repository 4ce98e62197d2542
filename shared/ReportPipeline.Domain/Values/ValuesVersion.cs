using System.Globalization;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Domain.Values;

/// <summary>
/// The content version of one org's values for one period: which commit they are the result of. It comes from the latest
/// receipt (its commit time and submission id), so it moves with every commit that writes values and with nothing else —
/// not with a replay, and not with a change of the receipt row that leaves the values alone (an approval's flag), which the
/// storage row's own ETag would. A submission may say which version it was prepared from (HTTP <c>If-Match</c>, or the
/// version a form workbook records); the store refuses it when the values have moved on since.
/// </summary>
public static class ValuesVersion
{
    /// <summary>Nothing stored yet: a first submission can be conditioned on that too.</summary>
    public const string None = "none";

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>The version of the values whose latest receipt is <paramref name="latest"/> (null: nothing stored).</summary>
    public static string Of(MergeReceipt? latest)
    {
        if (latest is null)
        {
            return None;
        }

        var at = (latest.CommittedAt ?? latest.ReceivedAt).ToUnixTimeMilliseconds();
        // Submission ids are letters and digits; anything else is replaced so that the version is always a valid entity-tag.
        var id = string.Concat(latest.SubmissionId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return string.Create(CultureInfo.InvariantCulture, $"{at}-{id}");
    }

    /// <summary>
    /// Reads a version and the commit time it names (null for <see cref="None"/>), so that the values written after it can be
    /// told from the others. False for text that is not a version.
    /// </summary>
    public static bool TryParse(string? version, out DateTimeOffset? committedAt)
    {
        committedAt = null;
        if (string.Equals(version, None, StringComparison.Ordinal))
        {
            return true;
        }

        if (version is null || version.Length > 120)
        {
            return false;
        }

        var dash = version.IndexOf('-', StringComparison.Ordinal);
        if (dash is < 1 or > 15 || dash == version.Length - 1
            || !long.TryParse(version.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            || version.AsSpan(dash + 1).ContainsAnyExcept(IdCharacters))
        {
            return false;
        }

        committedAt = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    /// <summary>The strong HTTP entity-tag of a version (RFC 9110, 8.8.3): the version in double quotes.</summary>
    public static string ETag(string version) => $"\"{version}\"";

    /// <summary>"If-Match: *": any version (RFC 9110, 13.1.1): no condition, and it overrides a version a workbook recorded.</summary>
    public const string Any = "*";

    /// <summary>
    /// Reads an <c>If-Match</c> header: one strong entity-tag holding a version, or <c>*</c> (<see cref="Any"/>: no
    /// condition). False for anything else — a weak tag, a list, an unknown shape — which the API
    /// refuses rather than guesses at.
    /// </summary>
    public static bool TryParseIfMatch(string header, out string? version)
    {
        version = null;
        var text = header.Trim();
        if (text == Any)
        {
            version = Any;
            return true;
        }

        if (text.Length < 3 || text[0] != '"' || text[^1] != '"')
        {
            return false;
        }

        var inner = text[1..^1];
        if (!TryParse(inner, out _))
        {
            return false;
        }

        version = inner;
        return true;
    }
}
