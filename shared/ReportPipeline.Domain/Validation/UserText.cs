using System.Text;

namespace ReportPipeline.Domain.Validation;

/// <summary>
/// Quotes text a user sent (a field name, a header, a cell) inside a message that goes back to that user or into a
/// log. Every such quote goes through here, so that a 1 MB "field name" comes back as a short, marked excerpt and never
/// as itself: nothing a user sends is echoed unbounded.
/// </summary>
public static class UserText
{
    /// <summary>Characters of user text quoted at most; longer text is cut and marked with its full length.</summary>
    public const int MaxQuoted = 40;

    /// <summary>
    /// The text as it may be quoted: control characters and lone surrogates shown as <c>?</c>, cut to
    /// <paramref name="max"/> characters with <c>…（共N个字符）</c> appended when it was longer.
    /// </summary>
    public static string Excerpt(string? text, int max = MaxQuoted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var take = Math.Min(text.Length, max);
        // Never cut a surrogate pair in half.
        if (take < text.Length && char.IsHighSurrogate(text[take - 1]))
        {
            take--;
        }

        var builder = new StringBuilder(take + 16);
        for (var i = 0; i < take; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < take && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c) || char.IsControl(c))
            {
                builder.Append('?');
            }
            else
            {
                builder.Append(c);
            }
        }

        if (take < text.Length)
        {
            builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"…（共{text.Length}个字符）");
        }
        return builder.ToString();
    }
}
