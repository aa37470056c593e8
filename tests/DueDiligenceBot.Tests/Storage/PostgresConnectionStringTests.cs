using DueDiligenceBot.Core.Storage;
using Npgsql;

namespace DueDiligenceBot.Tests.Storage;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Prepared_statements_and_no_reset_are_the_defaults()
    {
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionFactory.WithDefaults("Host=db.internal;Database=ddbot;Username=bot"));
        Assert.Equal(64, built.MaxAutoPrepare);
        Assert.True(built.NoResetOnClose);
        Assert.Equal("db.internal", built.Host);
        Assert.Equal("ddbot", built.Database);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=h;maxautoprepare=0;NoResetOnClose=false")]
    public void What_the_connection_string_says_wins(string given)
    {
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionFactory.WithDefaults(given));
        Assert.Equal(0, built.MaxAutoPrepare);
        Assert.False(built.NoResetOnClose);
    }
}
