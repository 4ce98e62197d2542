using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Tests.Client;

public sealed class TableKeyTests
{
    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("line\nbreak\ttab")]
    [InlineData("tilde~0041")]
    [InlineData("石桥村'委会")]
    public void Escaping_makes_a_valid_key_that_unescapes_to_the_original(string text)
    {
        var key = TableKey.Escape(text);

        Assert.True(TableKey.IsValid(key));
        Assert.Equal(text, TableKey.Unescape(key));
    }

    [Fact]
    public void Filter_literals_double_quotes_and_type_numbers()
    {
        Assert.Equal("PartitionKey eq 'O''Brien'", TableFilter.Equal("PartitionKey", "O'Brien"));
        Assert.Equal("N eq 5L and D eq 2.0", TableFilter.Create($"N eq {5L} and D eq {2.0}"));
    }
}
