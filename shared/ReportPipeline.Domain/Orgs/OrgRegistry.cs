using System.Diagnostics.CodeAnalysis;

namespace ReportPipeline.Domain.Orgs;

/// <summary>Thrown when an org list cannot form one tree; <see cref="Problems"/> lists every problem (Chinese, naming the code).</summary>
public sealed class OrgRegistryException : Exception
{
    public OrgRegistryException(IReadOnlyList<string> problems)
        : base($"行政区划有 {problems.Count} 处问题 (org registry has {problems.Count} problem(s)):{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", problems))
    {
        Problems = problems;
    }

    public OrgRegistryException()
        : this([])
    {
    }

    public OrgRegistryException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public OrgRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; } = [];
}

/// <summary>
/// The administrative tree (行政区划): 12-digit codes, 2 province + 2 prefecture + 2 county + 3 township + 3 village.
/// Built once and read-only; queries return orgs in code order, which is also the tree's pre-order.
/// </summary>
public sealed class OrgRegistry
{
    private static readonly IReadOnlyList<Org> None = [];
    private readonly Dictionary<string, Org> _byCode;
    private readonly Dictionary<string, List<Org>> _children;
    private readonly Dictionary<OrgLevel, List<Org>> _byLevel;

    /// <exception cref="OrgRegistryException">With every problem found.</exception>
    public OrgRegistry(IEnumerable<Org> orgs)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        var problems = new List<string>();
        _byCode = new Dictionary<string, Org>(StringComparer.Ordinal);
        foreach (var org in orgs)
        {
            if (!IsValidCode(org.Code))
            {
                problems.Add($"“{org.Name}”的代码“{org.Code}”不是 12 位数字 (code must be 12 digits)");
                continue;
            }

            if (!_byCode.TryAdd(org.Code, org))
            {
                problems.Add($"代码 {org.Code} 重复：“{_byCode[org.Code].Name}”和“{org.Name}” (duplicate code)");
                continue;
            }

            if (LevelOf(org.Code) != org.Level)
            {
                problems.Add($"{org.Code}“{org.Name}”标为{LevelName(org.Level)}，但代码形状是{LevelName(LevelOf(org.Code))} (level does not match the code)");
            }
        }

        var roots = _byCode.Values.Where(o => o.ParentCode is null).ToList();
        if (roots.Count != 1)
        {
            problems.Add(roots.Count == 0
                ? "没有根节点（上级代码为空的单位） (no root org)"
                : $"有多个根节点：{string.Join("、", roots.Select(r => r.Code))} (more than one root)");
        }

        foreach (var org in _byCode.Values.Where(o => o.ParentCode is not null))
        {
            if (!_byCode.TryGetValue(org.ParentCode!, out var parent))
            {
                problems.Add($"{org.Code}“{org.Name}”的上级 {org.ParentCode} 不存在 (unknown parent)");
            }
            else if (parent.Level >= org.Level || !SharesPrefix(parent, org))
            {
                problems.Add($"{org.Code}“{org.Name}”的上级 {parent.Code}“{parent.Name}”不是它的上一级区划 (parent is not a higher level with a matching code prefix)");
            }
        }

        foreach (var org in _byCode.Values)
        {
            if (InCycle(org))
            {
                problems.Add($"{org.Code}“{org.Name}”的上级关系形成循环 (cycle in parents)");
            }
        }

        if (problems.Count > 0)
        {
            throw new OrgRegistryException(problems);
        }

        Root = roots[0];
        _children = _byCode.Values
            .Where(o => o.ParentCode is not null)
            .GroupBy(o => o.ParentCode!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.Code, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        _byLevel = _byCode.Values
            .GroupBy(o => o.Level)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.Code, StringComparer.Ordinal).ToList());
    }

    public Org Root { get; }

    public int Count => _byCode.Count;

    public IEnumerable<Org> All => _byCode.Values.OrderBy(o => o.Code, StringComparer.Ordinal);

    public Org Get(string code) => _byCode.TryGetValue(code, out var org)
        ? org
        : throw new KeyNotFoundException($"行政区划代码 {code} 不存在 (unknown org code)");

    public bool TryGet(string code, [NotNullWhen(true)] out Org? org) => _byCode.TryGetValue(code, out org);

    public bool Contains(string code) => _byCode.ContainsKey(code);

    /// <summary>Direct children in code order.</summary>
    public IReadOnlyList<Org> Children(string code)
    {
        Get(code);
        return _children.TryGetValue(code, out var children) ? children : None;
    }

    /// <summary>All descendants in code order (pre-order), optionally starting with the org itself.</summary>
    public IEnumerable<Org> Subtree(string code, bool includeSelf = false)
    {
        var start = Get(code);
        var stack = new Stack<Org>();
        if (includeSelf)
        {
            stack.Push(start);
        }
        else
        {
            PushChildren(stack, code);
        }

        while (stack.TryPop(out var org))
        {
            yield return org;
            PushChildren(stack, org.Code);
        }
    }

    /// <summary>From the parent up to the root.</summary>
    public IEnumerable<Org> Ancestors(string code)
    {
        var org = Get(code);
        while (org.ParentCode is not null)
        {
            org = _byCode[org.ParentCode];
            yield return org;
        }
    }

    /// <summary>True when <paramref name="code"/> is <paramref name="ancestorCode"/> itself or lies below it.</summary>
    public bool IsInSubtree(string ancestorCode, string code)
    {
        if (!_byCode.ContainsKey(ancestorCode) || !_byCode.TryGetValue(code, out var org))
        {
            return false;
        }

        while (true)
        {
            if (org.Code == ancestorCode)
            {
                return true;
            }

            if (org.ParentCode is null)
            {
                return false;
            }

            org = _byCode[org.ParentCode];
        }
    }

    /// <summary>The villages and communities at or below the org, in code order.</summary>
    public IEnumerable<Org> Villages(string code) => Subtree(code, includeSelf: true).Where(o => o.Level is OrgLevel.Village);

    public IReadOnlyList<Org> ByLevel(OrgLevel level) => _byLevel.TryGetValue(level, out var orgs) ? orgs : None;

    public static bool IsValidCode(string? code) => code is { Length: 12 } && code.All(char.IsAsciiDigit);

    /// <summary>
    /// The county-level prefix of a code (its first six digits): the district a village, township or district belongs to
    /// — the values table's partition, a metric's tag, a feedback row's district. A shorter text is returned as it is.
    /// </summary>
    public static string DistrictPrefix(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.Length >= 6 ? code[..6] : code;
    }

    /// <summary>The level the code's shape implies: trailing zeros mark the higher levels.</summary>
    public static OrgLevel LevelOf(string code)
    {
        if (!IsValidCode(code))
        {
            throw new ArgumentException($"代码“{code}”不是 12 位数字 (code must be 12 digits)", nameof(code));
        }

        var span = code.AsSpan();
        if (span[2..].IndexOfAnyExcept('0') < 0 || span[4..].IndexOfAnyExcept('0') < 0)
        {
            return OrgLevel.City;
        }

        if (span[6..].IndexOfAnyExcept('0') < 0)
        {
            return OrgLevel.District;
        }

        return span[9..].IndexOfAnyExcept('0') < 0 ? OrgLevel.Township : OrgLevel.Village;
    }

    public static string LevelName(OrgLevel level) => level switch
    {
        OrgLevel.City => "市级",
        OrgLevel.District => "区县级",
        OrgLevel.Township => "乡镇（街道）级",
        _ => "村（社区）级",
    };

    private void PushChildren(Stack<Org> stack, string code)
    {
        if (_children.TryGetValue(code, out var children))
        {
            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    private static bool SharesPrefix(Org parent, Org child)
    {
        // A province-level city (500000000000) shares 2 digits with its districts; a prefecture-level one 4.
        var length = parent.Level switch
        {
            OrgLevel.City => parent.Code.AsSpan(2).IndexOfAnyExcept('0') < 0 ? 2 : 4,
            OrgLevel.District => 6,
            OrgLevel.Township => 9,
            _ => 12,
        };
        return string.CompareOrdinal(parent.Code, 0, child.Code, 0, length) == 0;
    }

    private bool InCycle(Org start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start.Code };
        var org = start;
        while (org.ParentCode is not null && _byCode.TryGetValue(org.ParentCode, out var parent))
        {
            if (!seen.Add(parent.Code))
            {
                return parent.Code == start.Code;
            }

            org = parent;
        }

        return false;
    }
}
