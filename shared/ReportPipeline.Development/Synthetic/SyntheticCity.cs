using System.Globalization;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Development.Synthetic;

/// <summary>
/// A made-up Chongqing (500000000000) of any size, deterministic from the seed: districts 5001xx, townships numbered
/// like real ones (街道 001–, 镇 100–, 乡 200–), communities 001– and villages 200– below them.
/// The full city is about 41 × 25 × 11.
/// </summary>
public static class SyntheticCity
{
    public const string RootCode = "500000000000";

    private static readonly string[] First = ["东", "西", "南", "北", "青", "石", "龙", "金", "马", "白", "黄", "桃", "柏", "松", "梨", "枣", "杨", "凤", "双", "三", "永", "长", "新", "太", "平", "安", "高", "大", "小", "红", "兴", "福", "茶", "竹", "梅", "莲", "鹿", "云", "铁", "沙"];
    private static readonly string[] Second = ["河", "山", "林", "坪", "溪", "湾", "坝", "岩", "桥", "沟", "塘", "园", "峰", "岭", "田", "水", "丰", "和", "乐", "盛", "家", "阳", "泉", "口", "池", "庙", "堡", "垭", "湖", "台"];

    public static OrgRegistry Generate(int districts, int townshipsPerDistrict, int villagesPerTownship, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(districts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(districts, 99);
        ArgumentOutOfRangeException.ThrowIfLessThan(townshipsPerDistrict, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(townshipsPerDistrict, 299);
        ArgumentOutOfRangeException.ThrowIfLessThan(villagesPerTownship, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(villagesPerTownship, 399);

        var random = new Random(seed);
        var orgs = new List<Org>(1 + districts * (1 + townshipsPerDistrict * (1 + villagesPerTownship)))
        {
            new(RootCode, "重庆市", OrgLevel.City, null),
        };
        for (var d = 1; d <= districts; d++)
        {
            var districtCode = string.Create(CultureInfo.InvariantCulture, $"5001{d:D2}000000");
            var districtName = UniqueName(random, d % 3 == 0 ? "县" : "区", new HashSet<string>(StringComparer.Ordinal));
            orgs.Add(new Org(districtCode, districtName, OrgLevel.District, RootCode));
            var townshipNames = new HashSet<string>(StringComparer.Ordinal);
            var streets = Math.Max(1, townshipsPerDistrict / 5);
            for (var t = 0; t < townshipsPerDistrict; t++)
            {
                var (number, suffix) = t < streets ? (t + 1, "街道") : t < streets + (townshipsPerDistrict - streets) * 2 / 3 ? (100 + t - streets, "镇") : (200 + t, "乡");
                var townshipCode = string.Create(CultureInfo.InvariantCulture, $"{districtCode[..6]}{number:D3}000");
                orgs.Add(new Org(townshipCode, UniqueName(random, suffix, townshipNames), OrgLevel.Township, districtCode));
                var villageNames = new HashSet<string>(StringComparer.Ordinal);
                var communities = suffix == "街道" ? Math.Max(1, villagesPerTownship * 2 / 3) : Math.Min(1, villagesPerTownship);
                for (var v = 0; v < villagesPerTownship; v++)
                {
                    var isCommunity = v < communities;
                    var villageNumber = isCommunity ? v + 1 : 200 + v - communities + 1;
                    var villageCode = string.Create(CultureInfo.InvariantCulture, $"{townshipCode[..9]}{villageNumber:D3}");
                    orgs.Add(new Org(villageCode, UniqueName(random, isCommunity ? "社区" : "村", villageNames), OrgLevel.Village, townshipCode));
                }
            }
        }

        return new OrgRegistry(orgs);
    }

    private static string UniqueName(Random random, string suffix, HashSet<string> used)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = First[random.Next(First.Length)] + Second[random.Next(Second.Length)];
            if (attempt > 20)
            {
                name += Second[random.Next(Second.Length)];
            }

            if (used.Add(name + suffix))
            {
                return name + suffix;
            }
        }
    }
}
