using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ReportPipeline.Domain.Periods;

public readonly partial record struct Period : IComparable<Period>, IComparable
{
    private static readonly string[] ChineseQuarter = ["一", "二", "三", "四"];

    /// <summary>The year period. Named <c>OfYear</c> because <see cref="Year"/> is the positional property.</summary>
    /// <summary>
    /// The years the pipeline works with: parsing accepts 1900–9999, but the first year has no previous period and the
    /// last no deadline, so forms, status and consolidation need one year of room on each side.
    /// </summary>
    public const int FirstSupportedYear = 1901;

    public const int LastSupportedYear = 9998;

    public bool IsSupported => Year is >= FirstSupportedYear and <= LastSupportedYear;

    public static Period OfYear(int year)
    {
        CheckYear(year);
        return new Period(PeriodKind.Year, year, 0);
    }

    public static Period Quarter(int year, int quarter)
    {
        CheckYear(year);
        ArgumentOutOfRangeException.ThrowIfLessThan(quarter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quarter, 4);
        return new Period(PeriodKind.Quarter, year, quarter);
    }

    public static Period Month(int year, int month)
    {
        CheckYear(year);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        return new Period(PeriodKind.Month, year, month);
    }

    /// <summary>Parses <c>2026</c>, <c>2026-Q4</c> (also <c>2026-q4</c>) or <c>2026-11</c>.</summary>
    public static Period Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var period)
            ? period
            : throw new FormatException($"报告期“{text}”格式不正确，应为 2026、2026-Q4 或 2026-11 (invalid period '{text}': expected 2026, 2026-Q4 or 2026-11).");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Period period)
    {
        period = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Length < 4 || !TryDigits(span[..4], out var year) || year < 1900 || year > 9999)
        {
            return false;
        }

        if (span.Length == 4)
        {
            period = new Period(PeriodKind.Year, year, 0);
            return true;
        }

        if (span[4] != '-')
        {
            return false;
        }

        var rest = span[5..];
        if (rest.Length == 2 && (rest[0] == 'Q' || rest[0] == 'q') && TryDigits(rest[1..], out var quarter) && quarter is >= 1 and <= 4)
        {
            period = new Period(PeriodKind.Quarter, year, quarter);
            return true;
        }

        // Two digits only: "2026-1" is refused rather than read as a month, so that each period has one spelling (its
        // canonical text is a key in storage, blob names and workbook names).
        if (rest.Length == 2 && TryDigits(rest, out var month) && month is >= 1 and <= 12)
        {
            period = new Period(PeriodKind.Month, year, month);
            return true;
        }

        return false;
    }

    public DateOnly Start => Kind switch
    {
        PeriodKind.Year => new DateOnly(Year, 1, 1),
        PeriodKind.Quarter => new DateOnly(Year, (Number - 1) * 3 + 1, 1),
        _ => new DateOnly(Year, Number, 1),
    };

    public DateOnly End => Kind switch
    {
        PeriodKind.Year => new DateOnly(Year, 12, 31),
        PeriodKind.Quarter => new DateOnly(Year, Number * 3, DateTime.DaysInMonth(Year, Number * 3)),
        _ => new DateOnly(Year, Number, DateTime.DaysInMonth(Year, Number)),
    };

    /// <summary>The months this period covers, in order (one for a month).</summary>
    public IEnumerable<Period> Months
    {
        get
        {
            var first = Start.Month;
            var last = End.Month;
            for (var month = first; month <= last; month++)
            {
                yield return new Period(PeriodKind.Month, Year, month);
            }
        }
    }

    /// <summary>True when <paramref name="other"/> lies within this period (a period contains itself).</summary>
    public bool Contains(Period other) =>
        Kind >= other.Kind && Start <= other.Start && other.End <= End;

    /// <summary>The period of the same kind just before this one (2026-01 → 2025-12, 2026-Q1 → 2025-Q4).</summary>
    public Period Previous() => Kind switch
    {
        PeriodKind.Year => OfYear(Year - 1),
        PeriodKind.Quarter => Number == 1 ? Quarter(Year - 1, 4) : Quarter(Year, Number - 1),
        _ => Number == 1 ? Month(Year - 1, 12) : Month(Year, Number - 1),
    };

    public Period Next() => Kind switch
    {
        PeriodKind.Year => OfYear(Year + 1),
        PeriodKind.Quarter => Number == 4 ? Quarter(Year + 1, 1) : Quarter(Year, Number + 1),
        _ => Number == 12 ? Month(Year + 1, 1) : Month(Year, Number + 1),
    };

    /// <summary>The last day to report: the end of the period plus <paramref name="deadlineDays"/>.</summary>
    public DateOnly Deadline(int deadlineDays) => End.AddDays(deadlineDays);

    /// <summary>The period of <paramref name="kind"/> that contains this one's start (2026-11 → 2026-Q4 → 2026).</summary>
    public Period Enclosing(PeriodKind kind) => kind switch
    {
        PeriodKind.Year => OfYear(Year),
        PeriodKind.Quarter => Quarter(Year, (Start.Month - 1) / 3 + 1),
        _ => Month(Year, Start.Month),
    };

    /// <summary>
    /// The period of <paramref name="kind"/> that ends when this one ends, or null when none does: a quarter's last month
    /// (2026-Q3 → 2026-09), a month's quarter only when it is the quarter's last month (2026-09 → 2026-Q3, 2026-08 → none).
    /// Values of a finer period are read at the end of a coarser one (期末数), so these are the periods that must agree.
    /// </summary>
    public Period? SameEnd(PeriodKind kind)
    {
        if (kind == Kind)
        {
            return this;
        }

        var end = End;
        var candidate = kind switch
        {
            PeriodKind.Month => Month(end.Year, end.Month),
            PeriodKind.Quarter => Quarter(end.Year, (end.Month + 2) / 3),
            _ => OfYear(end.Year),
        };
        return candidate.End == end ? candidate : null;
    }

    public override string ToString() => Kind switch
    {
        PeriodKind.Year => Year.ToString("D4", CultureInfo.InvariantCulture),
        PeriodKind.Quarter => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-Q{Number}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Number:D2}"),
    };

    /// <summary>Chinese display text: 2026年, 2026年第四季度, 2026年11月.</summary>
    public string ToDisplayString() => Kind switch
    {
        PeriodKind.Year => string.Create(CultureInfo.InvariantCulture, $"{Year}年"),
        PeriodKind.Quarter => string.Create(CultureInfo.InvariantCulture, $"{Year}年第{ChineseQuarter[Number - 1]}季度"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Year}年{Number}月"),
    };

    /// <summary>Chronological by start; for equal starts the longer period sorts first.</summary>
    public int CompareTo(Period other)
    {
        var byStart = Start.CompareTo(other.Start);
        return byStart != 0 ? byStart : other.Kind.CompareTo(Kind);
    }

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Period other => CompareTo(other),
        _ => throw new ArgumentException("Object is not a Period.", nameof(obj)),
    };

    public static bool operator <(Period left, Period right) => left.CompareTo(right) < 0;
    public static bool operator >(Period left, Period right) => left.CompareTo(right) > 0;
    public static bool operator <=(Period left, Period right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Period left, Period right) => left.CompareTo(right) >= 0;

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return digits.Length > 0;
    }

    private static void CheckYear(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1900);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
    }
}
