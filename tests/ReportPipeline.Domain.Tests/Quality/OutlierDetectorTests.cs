using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Tests.Quality;

public sealed class OutlierDetectorTests
{
    private static KeyValuePair<string, decimal>[] Values(params decimal[] numbers) =>
        [.. numbers.Select((n, i) => new KeyValuePair<string, decimal>("v" + i, n))];

    [Fact]
    public void The_wild_value_among_six_villages_is_flagged_with_its_score()
    {
        // median 102.5; deviations 2.5 1.5 0.5 0.5 2.5 897.5 → MAD 2; scale 2.9652; (1000 − 102.5) / 2.9652 ≈ 302.7.
        var outlier = Assert.Single(OutlierDetector.Find(Values(100, 101, 102, 103, 105, 1000)));

        Assert.Equal("v5", outlier.Key);
        Assert.Equal(102.5m, outlier.Median);
        Assert.Equal(302.7m, Math.Round(outlier.Score, 1));
    }

    [Fact]
    public void A_value_just_inside_the_threshold_is_not_flagged()
    {
        // median 10, MAD 1 → scale 1.4826; 15 scores 3.37 (kept), 16 would score 4.05.
        Assert.Empty(OutlierDetector.Find(Values(9, 10, 10, 11, 11, 9, 15)));
        Assert.Single(OutlierDetector.Find(Values(9, 10, 10, 11, 11, 9, 16)));
    }

    [Fact]
    public void Fewer_than_five_values_or_a_zero_MAD_flag_nothing()
    {
        Assert.Empty(OutlierDetector.Find(Values(1, 1, 1, 5000)));
        Assert.Empty(OutlierDetector.Find(Values(7, 7, 7, 7, 7, 900)));
    }

    [Fact]
    public void The_inspector_lists_outliers_per_township_with_last_period_and_explanation()
    {
        var catalog = new FieldCatalog("2026.11.1",
        [
            new FieldDefinition { Id = "pop", Name = "户籍人口", Unit = "人", Type = FieldType.Integer, Group = "人口" },
            new FieldDefinition { Id = "note", Name = "备注", Type = FieldType.Text, Group = "人口" },
        ], []);
        var townA = new Org("500101001000", "甲镇", OrgLevel.Township, "500101000000");
        var townB = new Org("500101002000", "乙镇", OrgLevel.Township, "500101000000");
        var orgs = new List<Org> { townA, townB };
        var current = new Dictionary<string, OrgValues>();
        var previous = new Dictionary<string, OrgValues>();
        var at = new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero);
        decimal[] a = [100, 101, 102, 103, 105, 1000];
        decimal[] b = [100, 300, 500, 700, 900, 1100];
        for (var i = 0; i < 6; i++)
        {
            foreach (var (town, numbers) in new[] { (townA, a), (townB, b) })
            {
                var code = town.Code[..9] + (i + 1).ToString("000", System.Globalization.CultureInfo.InvariantCulture);
                orgs.Add(new Org(code, town.Name + "村" + i, OrgLevel.Village, town.Code));
                var value = new StoredValue(new FieldValue(FieldType.Integer, numbers[i].ToString(System.Globalization.CultureInfo.InvariantCulture)), ValueOrigin.Typed, "S", at)
                {
                    Explanation = i == 5 ? "新建安置小区" : null,
                };
                current[code] = new OrgValues(code, Period.Month(2026, 11), new Dictionary<string, StoredValue> { ["pop"] = value });
                previous[code] = new OrgValues(code, Period.Month(2026, 10), new Dictionary<string, StoredValue>
                {
                    ["pop"] = new(new FieldValue(FieldType.Integer, "99"), ValueOrigin.Typed, "S0", at.AddMonths(-1)),
                });
            }
        }

        var flags = QualityInspector.Inspect(catalog, ["pop", "note"], orgs, current, previous);

        // Township B's values spread evenly (median 600, MAD 300): 1100 there is no outlier, while 1000 in township A is.
        var flag = Assert.Single(flags);
        Assert.Equal(("500101001006", "甲镇", "pop", 1000m, 99m), (flag.OrgCode, flag.TownshipName, flag.FieldId, flag.Value, flag.Previous));
        Assert.Equal(ValidationCodes.QualityOutlier, flag.Code);
        Assert.Equal("新建安置小区", flag.Explanation);
        Assert.Contains("中位数102.5人", flag.Reason, StringComparison.Ordinal);
    }
}
