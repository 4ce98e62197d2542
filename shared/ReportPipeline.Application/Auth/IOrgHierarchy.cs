namespace ReportPipeline.Application.Auth;

/// <summary>
/// The org tree as the access policy needs it. The composition root implements it over the org registry; the policy
/// never infers ancestry from code prefixes, because registry parents do not always follow the code's digits.
/// </summary>
public interface IOrgHierarchy
{
    /// <summary>Whether <paramref name="code"/> is a unit in the registry.</summary>
    bool Exists(string code);

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="code"/> itself or one of its ancestors; false when either is unknown.</summary>
    bool IsSameOrAncestor(string ancestor, string code);

    /// <summary>Whether <paramref name="code"/> is a known unit with no parent (the city), whose subtree is the whole registry.</summary>
    bool IsRoot(string code);
}
