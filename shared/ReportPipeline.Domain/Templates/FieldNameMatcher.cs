using System.Globalization;
using System.Text;
using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Domain.Templates;

/// <summary>How a column's text was found in the one table.</summary>
public enum NameMatchKind
{
    Id,
    Name,
    Alias,
}

/// <summary>A field that the text names exactly (after normalisation), and which of the field's names it was.</summary>
public sealed record ExactNameMatch(FieldDefinition Field, NameMatchKind Kind);

/// <summary>A field whose name or alias resembles the text; <see cref="Score"/> is the similarity (0–1, two decimals).</summary>
public sealed record NameCandidate(string FieldId, string FieldName, string MatchedName, decimal Score);

/// <summary>Two fields of the one table whose names are at least as similar as <see cref="FieldNameMatcher.NearMatchThreshold"/>.</summary>
public sealed record NameConflict(string FieldId, string OtherFieldId, string Name, string OtherName, decimal Score);

/// <summary>
/// Finds catalog fields by a department's column text: exactly by id, Chinese name or alias (after normalisation), or
/// nearly, by a deterministic similarity. The design check and <c>catalog check</c> both match through here.
/// <para>
/// Normalisation: NFKC (full-width letters, digits and brackets become ASCII), a bracketed unit such as （人）or（万元）is
/// dropped while a bracketed qualifier such as（男）is kept, punctuation and spaces go, and words that never change
/// what is counted (合计, 总计, 其中, 实有, 本期, 总, a trailing 数/数量) are removed — so 户籍总人口, 户籍人口数 and
/// 户籍人口（人）all read 户籍人口.
/// </para>
/// <para>
/// Similarity: the Dice coefficient of character bigrams of the normalised texts, padded with start and end marks so
/// that short Chinese names (2–6 characters) keep enough bigrams. Bigrams alone rate 户籍人口（男）close to its total,
/// 60岁以上 close to 65岁以上 and 低保户数 close to 低保人数, so two texts are only compared when they do not contradict
/// each other: the same numbers, the same sex, direction (入/出, 内/外) and the same kind of quantity at the end
/// (households, persons, person-times, cases, money, rates).
/// </para>
/// </summary>
public sealed class FieldNameMatcher
{
    /// <summary>
    /// At or above this, a column is taken to be an existing field under another name. The shipped catalog's most
    /// similar pair of distinct fields scores 0.78 (就业社保服务站 / 退役军人服务站), so 0.80 flags no field of the one table
    /// as a duplicate of another, while common renames still reach it: 户籍总人口 → 户籍人口 (1.00), 60岁以上老人 → 60岁及以上人口
    /// (0.82), 城乡低保户 → 城乡低保户数. Both sides are pinned by tests on the shipped catalog.
    /// </summary>
    public const decimal NearMatchThreshold = 0.80m;

    /// <summary>Candidates listed per column at most.</summary>
    public const int MaxCandidates = 5;

    private static readonly string[] s_neutralWords = ["其中", "合计", "总计", "共计", "小计", "实有", "本期", "总"];
    private static readonly string[] s_commonUnits = ["人", "户", "个", "元", "万元", "次", "人次", "件", "%", "亩", "所", "处", "名", "家", "栋", "张", "场"];
    private static readonly string[] s_contrasts = ["男女", "入出", "内外"];

    private readonly FieldCatalog _catalog;
    private readonly HashSet<string> _units;
    private readonly Dictionary<string, List<ExactNameMatch>> _exact = new(StringComparer.Ordinal);
    private readonly List<(FieldDefinition Field, string Text, string Normalised)> _names = [];

    public FieldNameMatcher(FieldCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _units = new HashSet<string>(s_commonUnits, StringComparer.Ordinal);
        foreach (var field in catalog.Fields)
        {
            if (field.Unit is { Length: > 0 } unit)
            {
                _units.Add(unit.Normalize(NormalizationForm.FormKC));
            }
        }

        foreach (var field in catalog.Fields)
        {
            Add(field, field.Name, NameMatchKind.Name);
            foreach (var alias in field.Aliases)
            {
                Add(field, alias, NameMatchKind.Alias);
            }
        }
    }

    public FieldCatalog Catalog => _catalog;

    /// <summary>Every field the text names exactly: by id (ordinal), else by normalised Chinese name or alias, in catalog order.</summary>
    public IReadOnlyList<ExactNameMatch> FindExact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_catalog.Find(text.Trim()) is { } byId)
        {
            return [new ExactNameMatch(byId, NameMatchKind.Id)];
        }

        var normalised = Normalise(text);
        return normalised.Length > 0 && _exact.TryGetValue(normalised, out var found) ? found : [];
    }

    /// <summary>Fields whose name or alias scores at least <see cref="NearMatchThreshold"/>, best first (ties by id), one entry per field.</summary>
    public IReadOnlyList<NameCandidate> FindNear(string text, int max = MaxCandidates)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalised = Normalise(text);
        if (normalised.Length == 0)
        {
            return [];
        }

        var best = new Dictionary<string, NameCandidate>(StringComparer.Ordinal);
        foreach (var (field, name, other) in _names)
        {
            var score = Round(Similarity(normalised, other));
            if (score >= NearMatchThreshold && (!best.TryGetValue(field.Id, out var kept) || score > kept.Score))
            {
                best[field.Id] = new NameCandidate(field.Id, field.Name, name, score);
            }
        }

        return [.. best.Values.OrderByDescending(c => c.Score).ThenBy(c => c.FieldId, StringComparer.Ordinal).Take(max)];
    }

    /// <summary>Pairs of distinct fields of the one table that the matcher cannot tell apart (shared or near names).</summary>
    public IReadOnlyList<NameConflict> FindConflicts()
    {
        var conflicts = new Dictionary<(string, string), NameConflict>();
        for (var i = 0; i < _names.Count; i++)
        {
            for (var j = i + 1; j < _names.Count; j++)
            {
                var (a, aText, aNorm) = _names[i];
                var (b, bText, bNorm) = _names[j];
                if (a.Id == b.Id)
                {
                    continue;
                }

                var score = Round(Similarity(aNorm, bNorm));
                var key = string.CompareOrdinal(a.Id, b.Id) < 0 ? (a.Id, b.Id) : (b.Id, a.Id);
                if (score >= NearMatchThreshold && (!conflicts.TryGetValue(key, out var kept) || score > kept.Score))
                {
                    conflicts[key] = key.Item1 == a.Id
                        ? new NameConflict(a.Id, b.Id, aText, bText, score)
                        : new NameConflict(b.Id, a.Id, bText, aText, score);
                }
            }
        }

        return [.. conflicts.Values.OrderByDescending(c => c.Score).ThenBy(c => c.FieldId, StringComparer.Ordinal).ThenBy(c => c.OtherFieldId, StringComparer.Ordinal)];
    }

    /// <summary>The similarity of two texts as the matcher sees them (both normalised here).</summary>
    public decimal Score(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Round(Similarity(Normalise(a), Normalise(b)));
    }

    /// <summary>The text as compared: see the class remarks.</summary>
    public string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(folded.Length);
        for (var i = 0; i < folded.Length; i++)
        {
            var c = folded[i];
            if (c is '(' or '[' && folded.IndexOf(c == '(' ? ')' : ']', i + 1) is var close and > 0)
            {
                var inner = folded[(i + 1)..close].Trim();
                if (!_units.Contains(inner))
                {
                    AppendLettersAndDigits(builder, inner);
                }

                i = close;
                continue;
            }

            AppendLettersAndDigits(builder, c.ToString());
        }

        var result = builder.ToString();
        foreach (var word in s_neutralWords)
        {
            result = result.Replace(word, "", StringComparison.Ordinal);
        }

        if (result.EndsWith("数量", StringComparison.Ordinal))
        {
            result = result[..^2];
        }
        else if (result.EndsWith('数') && result.Length > 1)
        {
            result = result[..^1];
        }

        return result;
    }

    private void Add(FieldDefinition field, string text, NameMatchKind kind)
    {
        var normalised = Normalise(text);
        if (normalised.Length == 0)
        {
            return;
        }

        _names.Add((field, text, normalised));
        var list = _exact.TryGetValue(normalised, out var found) ? found : _exact[normalised] = [];
        if (!list.Any(m => m.Field.Id == field.Id))
        {
            list.Add(new ExactNameMatch(field, kind));
        }
    }

    private static void AppendLettersAndDigits(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
    }

    private static decimal Round(double score) => Math.Round((decimal)score, 2, MidpointRounding.ToZero);

    /// <summary>Padded-bigram Dice of two normalised texts; 0 when they contradict each other.</summary>
    internal static double Similarity(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 1;
        }

        if (!Compatible(a, b))
        {
            return 0;
        }

        var left = Bigrams(a);
        var right = Bigrams(b);
        var common = 0;
        foreach (var (gram, count) in left)
        {
            if (right.TryGetValue(gram, out var other))
            {
                common += Math.Min(count, other);
            }
        }

        // a text of n characters has n + 1 padded bigrams
        return 2.0 * common / (a.Length + 1 + b.Length + 1);
    }

    private static Dictionary<string, int> Bigrams(string text)
    {
        var padded = "\u0002" + text + "\u0003";
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < padded.Length; i++)
        {
            var gram = padded.Substring(i, 2);
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }

        return grams;
    }

    private static bool Compatible(string a, string b)
    {
        if (!Numbers(a).SequenceEqual(Numbers(b), StringComparer.Ordinal))
        {
            return false;
        }

        var (endA, endB) = (EndKind(a), EndKind(b));
        if (endA is not null && endB is not null && endA != endB)
        {
            return false;
        }

        if ((endA == "rate") != (endB == "rate"))
        {
            return false;
        }

        foreach (var pair in s_contrasts)
        {
            if (pair.Any(c => a.Contains(c, StringComparison.Ordinal) != b.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static List<string> Numbers(string text)
    {
        var numbers = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            numbers.Add(text[start..i]);
        }

        return numbers;
    }

    /// <summary>The kind of quantity a name ends in, which a rename never changes.</summary>
    private static string? EndKind(string text)
    {
        static bool Ends(string t, params string[] endings) => endings.Any(e => t.EndsWith(e, StringComparison.Ordinal));
        return text switch
        {
            _ when Ends(text, "率", "比例", "占比", "比重") => "rate",
            _ when Ends(text, "金额", "元") => "money",
            _ when Ends(text, "人次") => "times",
            _ when Ends(text, "户") => "households",
            _ when Ends(text, "人", "人口", "人员", "对象", "员") => "persons",
            _ when Ends(text, "件") => "cases",
            _ => null,
        };
    }

    internal static string Format(decimal score) => score.ToString("0.00", CultureInfo.InvariantCulture);
}
