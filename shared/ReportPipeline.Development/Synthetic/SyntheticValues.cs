using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Development.Synthetic;

/// <summary>
/// Plausible raw texts for one org and period that pass validation, deterministic from the seed. Numbers are the same
/// for every period of an org (so rules across frequencies hold) and are computed along the catalog's rules: parts before the totals they add up to, totals before the parts they bound, and ratio
/// targets from the other side, so that every cross-field rule holds.
/// </summary>
public static class SyntheticValues
{
    /// <summary>The typed and pre-filled fields collected at the period's frequency (derived fields are never typed).</summary>
    public static IReadOnlyDictionary<string, string> Generate(FieldCatalog catalog, Org org, Period period, int seed, double fillRatio = 1.0) =>
        Generate(catalog, org, period, seed, fillRatio, f => f.Source is not FieldSource.Derived);

    /// <summary>Only the pre-filled fields (what an upper-level source pushes down), same numbers as <see cref="Generate(FieldCatalog, Org, Period, int, double)"/>.</summary>
    public static IReadOnlyDictionary<string, string> GeneratePrefilled(FieldCatalog catalog, Org org, Period period, int seed) =>
        Generate(catalog, org, period, seed, 1.0, f => f.Source is FieldSource.Prefilled);

    private static Dictionary<string, string> Generate(FieldCatalog catalog, Org org, Period period, int seed, double fillRatio, Func<FieldDefinition, bool> include)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(org);
        ArgumentOutOfRangeException.ThrowIfNegative(fillRatio);
        var random = new Random(StableSeed(seed, org.Code, period.ToString()));
        // One set of numbers per org, whatever the period: a month's 户籍人口, the quarter's age groups and the year's
        // totals come from the same draw, so every rule holds across periods (期末数), and last period's values and
        // this period's pre-fill agree. Only texts, options and dates vary with the period.
        var numbers = ComputeNumbers(catalog, new Random(StableSeed(seed, org.Code, "")));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in catalog.Fields)
        {
            // Draw for every field so that the fill ratio does not shift the values of the others.
            var keep = random.NextDouble() < fillRatio || field.Required;
            var text = field.Type switch
            {
                FieldType.Integer or FieldType.Decimal => numbers.TryGetValue(field.Id, out var n) ? Format(field, n) : null,
                FieldType.Enum => field.Options[random.Next(field.Options.Count)].Label,
                FieldType.Boolean => random.Next(3) == 0 ? "否" : "是",
                FieldType.Date => period.Start.AddDays(random.Next(period.End.DayNumber - period.Start.DayNumber + 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                _ => Text(field, org, random),
            };
            if (keep && text is not null && field.Frequency == period.Kind && include(field))
            {
                result[field.Id] = text;
            }
        }

        return result;
    }

    private static Dictionary<string, decimal> ComputeNumbers(FieldCatalog catalog, Random random)
    {
        var numeric = catalog.Fields.Where(f => f.IsNumeric && f.Source is not FieldSource.Derived).ToDictionary(f => f.Id, StringComparer.Ordinal);
        var sumParts = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var boundingTotals = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var ratioSource = new Dictionary<string, (string Other, decimal Factor, bool Multiply)>(StringComparer.Ordinal);
        var edges = numeric.Keys.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);

        void Edge(string from, string to)
        {
            if (edges.ContainsKey(from) && edges.ContainsKey(to))
            {
                edges[from].Add(to);
            }
        }

        foreach (var rule in catalog.Rules.Where(r => r.Kind is CrossFieldRuleKind.PartsSumToTotal))
        {
            sumParts[rule.Field] = rule.Others;
            foreach (var part in rule.Others)
            {
                Edge(part, rule.Field);
            }
        }

        foreach (var rule in catalog.Rules.Where(r => r.Kind is CrossFieldRuleKind.PartsNotExceedTotal))
        {
            foreach (var part in rule.Others)
            {
                (boundingTotals.TryGetValue(part, out var list) ? list : boundingTotals[part] = []).Add(rule.Field);
                Edge(rule.Field, part);
            }
        }

        foreach (var rule in catalog.Rules.Where(r => r.Kind is CrossFieldRuleKind.RatioWithin))
        {
            var min = rule.Min ?? 0m;
            var max = rule.Max ?? min + 1m;
            // Aim at the middle of the allowed band so that rounding to whole numbers cannot push it outside.
            var factor = min + (max - min) * (decimal)(0.3 + random.NextDouble() * 0.4);
            var numerator = rule.Field;
            var denominator = rule.Others[0];
            if (!sumParts.ContainsKey(numerator) && !ratioSource.ContainsKey(numerator))
            {
                ratioSource[numerator] = (denominator, factor, true);
                Edge(denominator, numerator);
            }
            else if (!sumParts.ContainsKey(denominator) && !ratioSource.ContainsKey(denominator) && factor != 0)
            {
                ratioSource[denominator] = (numerator, factor, false);
                Edge(numerator, denominator);
            }
        }

        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var id in TopologicalOrder(numeric.Keys, edges))
        {
            var field = numeric[id];
            decimal value;
            if (sumParts.TryGetValue(id, out var parts) && parts.All(values.ContainsKey))
            {
                value = parts.Sum(p => values[p]);
                var cap = Cap(id, boundingTotals, values, field);
                if (value > cap && value > 0)
                {
                    // Shrink the parts proportionally so that the total fits under whatever bounds it.
                    foreach (var part in parts)
                    {
                        values[part] = Round(numeric[part], values[part] * cap / value, down: true);
                    }

                    value = parts.Sum(p => values[p]);
                }
            }
            else if (ratioSource.TryGetValue(id, out var source) && values.TryGetValue(source.Other, out var other))
            {
                value = source.Multiply ? other * source.Factor : other / source.Factor;
            }
            else if (boundingTotals.TryGetValue(id, out var totals) && totals.Any(values.ContainsKey))
            {
                value = totals.Where(values.ContainsKey).Min(t => values[t]) * (decimal)(0.01 + random.NextDouble() * 0.19);
            }
            else
            {
                var low = field.Min ?? 0m;
                var high = field.Max ?? low + 1000m;
                value = low + (high - low) * (decimal)(0.02 + random.NextDouble() * 0.13);
            }

            value = Math.Min(value, Cap(id, boundingTotals, values, field));
            value = Math.Max(value, field.Min ?? decimal.MinValue);
            values[id] = Round(field, value, down: true);
        }

        return values;
    }

    private static decimal Cap(string id, Dictionary<string, List<string>> boundingTotals, Dictionary<string, decimal> values, FieldDefinition field)
    {
        var cap = field.Max ?? decimal.MaxValue;
        if (boundingTotals.TryGetValue(id, out var totals))
        {
            foreach (var total in totals.Where(values.ContainsKey))
            {
                cap = Math.Min(cap, values[total]);
            }
        }

        return cap;
    }

    private static IEnumerable<string> TopologicalOrder(IEnumerable<string> ids, Dictionary<string, List<string>> edges)
    {
        var order = ids.ToList();
        var indegree = order.ToDictionary(id => id, _ => 0, StringComparer.Ordinal);
        foreach (var target in edges.Values.SelectMany(e => e))
        {
            indegree[target]++;
        }

        var ready = new Queue<string>(order.Where(id => indegree[id] == 0));
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        while (ready.TryDequeue(out var id))
        {
            emitted.Add(id);
            yield return id;
            foreach (var next in edges[id])
            {
                if (--indegree[next] == 0)
                {
                    ready.Enqueue(next);
                }
            }
        }

        // Rules that form a cycle cannot all be honoured; the rest are computed in catalog order.
        foreach (var id in order.Where(id => !emitted.Contains(id)))
        {
            yield return id;
        }
    }

    private static decimal Round(FieldDefinition field, decimal value, bool down)
    {
        var places = field.Type is FieldType.Integer ? 0 : field.Precision;
        return Math.Round(value, places, down ? MidpointRounding.ToZero : MidpointRounding.AwayFromZero);
    }

    private static string Format(FieldDefinition field, decimal value) =>
        field.Type is FieldType.Integer
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("F" + field.Precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Text(FieldDefinition field, Org org, Random random)
    {
        var text = field.Name.Contains("电话", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"023-{random.Next(10_000_000, 99_999_999)}")
            : $"{org.Name}{field.Name}";
        return text.Length <= field.MaxLength ? text : text[..field.MaxLength];
    }

    private static int StableSeed(int seed, string orgCode, string period)
    {
        // FNV-1a: string.GetHashCode is randomised per process, and the values must be the same on every run.
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in orgCode + "|" + period)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
