namespace ReportPipeline.Domain.Quality;

/// <summary>One value flagged as a robust outlier, with its modified z-score |x − median| / (1.4826·MAD).</summary>
public sealed record Outlier(string Key, decimal Value, decimal Median, decimal Score);

/// <summary>
/// Robust outliers among peers (the villages of one township, one column): the modified z-score over the median
/// absolute deviation, which a single wild value cannot drag along as it drags a mean and a standard deviation.
/// Judged only with at least <see cref="MinimumUnits"/> values and a MAD above zero (when most peers report the same
/// number, any difference would be "infinitely" far, which says nothing).
/// </summary>
public static class OutlierDetector
{
    public const int MinimumUnits = 5;
    public const decimal Threshold = 3.5m;
    /// <summary>Makes the MAD estimate the standard deviation of normally distributed data.</summary>
    public const decimal Consistency = 1.4826m;

    public static IReadOnlyList<Outlier> Find(IReadOnlyList<KeyValuePair<string, decimal>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < MinimumUnits)
        {
            return [];
        }

        var median = Median(values.Select(v => v.Value));
        var mad = Median(values.Select(v => Math.Abs(v.Value - median)));
        if (mad == 0)
        {
            return [];
        }

        var scale = Consistency * mad;
        var found = new List<Outlier>();
        foreach (var (key, value) in values)
        {
            var score = Math.Abs(value - median) / scale;
            if (score > Threshold)
            {
                found.Add(new Outlier(key, value, median, score));
            }
        }

        return found;
    }

    public static decimal Median(IEnumerable<decimal> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
