using System.Text.Json;

namespace ReportPipeline.Domain.Orgs;

/// <summary>
/// Parses an org list such as <c>catalog/orgs/sample-city.json</c>: <c>{"orgs": [{"code", "name", "level", "parent"}]}</c>.
/// The JSON comes from whoever holds it (a file, the <c>reference</c> container); its name says where, in every problem.
/// </summary>
public static class OrgRegistryLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    /// <exception cref="OrgRegistryException">When the JSON is malformed or the tree is invalid, with every problem.</exception>
    public static OrgRegistry Load(Stream json, string name = "orgs")
    {
        OrgFileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<OrgFileDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new OrgRegistryException([$"{name}: JSON 格式错误 (invalid JSON): {ex.Message}"]);
        }

        var problems = new List<string>();
        var orgs = new List<Org>();
        foreach (var (item, index) in (document?.Orgs ?? []).Select((o, i) => (o, i + 1)))
        {
            if (item?.Code is null || string.IsNullOrWhiteSpace(item.Name))
            {
                problems.Add($"{name} 第 {index} 项缺少 code 或 name (missing code or name)");
                continue;
            }

            if (!Enum.TryParse<OrgLevel>(item.Level, ignoreCase: true, out var level) || !Enum.IsDefined(level) || char.IsDigit(item.Level![0]))
            {
                problems.Add($"{item.Code}“{item.Name}”的层级“{item.Level}”无效，可用 city、district、township、village (invalid level)");
                continue;
            }

            orgs.Add(new Org(item.Code, item.Name.Trim(), level, string.IsNullOrWhiteSpace(item.Parent) ? null : item.Parent));
        }

        if (problems.Count > 0)
        {
            throw new OrgRegistryException(problems);
        }

        return new OrgRegistry(orgs);
    }

    private sealed class OrgFileDocument
    {
        public List<OrgDocument?>? Orgs { get; set; }
    }

    private sealed class OrgDocument
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public string? Level { get; set; }
        public string? Parent { get; set; }
    }
}
