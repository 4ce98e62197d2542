using System.CommandLine;
using ReportPipeline.Web.Bench;

// The office page of the web app timed in Debian's chromium against the local host, at a city's size:
// dotnet run --project tests/ReportPipeline.Web.Bench -c Release [-- --city | --districts 4 --townships 25 --villages 11] [--repeats 3]
var city = new Option<bool>("--city") { Description = "The whole city: 41 districts × 25 townships × 11 villages (default 4 × 25 × 11)" };
var districts = new Option<int>("--districts") { Description = "Districts", DefaultValueFactory = _ => 4 };
var townships = new Option<int>("--townships") { Description = "Townships per district", DefaultValueFactory = _ => 25 };
var villages = new Option<int>("--villages") { Description = "Villages per township", DefaultValueFactory = _ => 11 };
var repeats = new Option<int>("--repeats") { Description = "Timed page loads per level and measurement (the median is reported)", DefaultValueFactory = _ => 3 };
var root = new RootCommand("一表通网页：各级办公页面在 chromium 中的加载时间与页面大小 (the office page in a browser, per level)")
{
    city, districts, townships, villages, repeats,
};
root.SetAction(async (parse, ct) =>
{
    var (d, t, v) = parse.GetValue(city) ? (41, 25, 11) : (parse.GetValue(districts), parse.GetValue(townships), parse.GetValue(villages));
    if (d < 1 || t < 1 || v < 1 || parse.GetValue(repeats) < 1)
    {
        await Console.Error.WriteLineAsync("--districts、--townships、--villages 与 --repeats 需要正整数");
        return 2;
    }

    return await OfficePageBenchmark.RunAsync(d, t, v, parse.GetValue(repeats), ct);
});
return await root.Parse(args).InvokeAsync();
