using System.Text.Json;
using DueDiligenceBot.Core.Checklist;

namespace DueDiligenceBot.Tests.Checklist;

public sealed class AnswerParserTests
{
    private static Question Q(QuestionType type, string? unit = null, int? min = null, int? max = null, params (string Value, string Label)[] options) =>
        new("k", "s", 1, "prompt", type, options.Select(o => new ChoiceOption(o.Value, o.Label)).ToList(), [], unit, min, max, "why", []);

    private static readonly Question ReportType = Q(QuestionType.Choice, options: [("none", "No SOC 2 report"), ("type1", "SOC 2 Type I"), ("type2", "SOC 2 Type II")]);
    private static readonly Question Criteria = Q(QuestionType.MultiChoice, options:
        [("security", "Security"), ("availability", "Availability"), ("processing_integrity", "Processing integrity"), ("confidentiality", "Confidentiality"), ("privacy", "Privacy")]);

    private static string Accepted(Question q, string text)
    {
        var result = AnswerParser.Parse(q, text);
        var accepted = Assert.IsType<ParsedAnswer.Accepted>(result);
        return accepted.Value.GetRawText();
    }

    private static string Rejected(Question q, string text) =>
        Assert.IsType<ParsedAnswer.Rejected>(AnswerParser.Parse(q, text)).Message;

    [Theory]
    [InlineData("yes", "true")]
    [InlineData("Y", "true")]
    [InlineData("Yep.", "true")]
    [InlineData("yes, since 2021", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("no", "false")]
    [InlineData("Nope", "false")]
    [InlineData("no they don't", "false")]
    [InlineData("unknown", "null")]
    [InlineData("not sure", "null")]
    [InlineData("I don’t know", "null")]
    public void Yes_no_answers_are_read_in_common_forms(string text, string expected)
    {
        var q = Q(QuestionType.YesNo);
        Assert.Equal(expected, text == "I don’t know" ? Accepted(q, "don't know") : Accepted(q, text));
    }

    [Fact]
    public void Yes_no_rejects_anything_else_and_says_what_is_accepted() =>
        Assert.Contains("Answer yes or no", Rejected(Q(QuestionType.YesNo), "perhaps"));

    [Theory]
    [InlineData("3", "\"type2\"")]
    [InlineData("type2", "\"type2\"")]
    [InlineData("SOC 2 Type II", "\"type2\"")]
    [InlineData("type ii", "\"type2\"")]
    [InlineData("Type two", "\"type2\"")]
    [InlineData("type 1", "\"type1\"")]
    [InlineData("none", "\"none\"")]
    public void Choices_are_read_by_number_value_or_label(string text, string expected) =>
        Assert.Equal(expected, Accepted(ReportType, text));

    [Fact]
    public void An_out_of_range_or_unmatched_choice_lists_the_options()
    {
        var message = Rejected(ReportType, "7");
        Assert.Contains("1. No SOC 2 report; 2. SOC 2 Type I; 3. SOC 2 Type II", message);
        Assert.Contains("not one of the options", Rejected(ReportType, "SOC 3"));
    }

    [Fact]
    public void An_ambiguous_choice_names_the_candidates() =>
        Assert.Contains("could be No SOC 2 report or SOC 2 Type I or SOC 2 Type II", Rejected(ReportType, "soc 2"));

    [Fact]
    public void Typed_unknown_picks_an_explicit_unknown_option_when_the_question_has_one()
    {
        var q = Q(QuestionType.Choice, options: [("all", "All"), ("some", "Some"), ("unknown", "The vendor could not tell us")]);
        Assert.Equal("\"unknown\"", Accepted(q, "unknown"));
    }

    [Theory]
    [InlineData("1, 2", "[\"security\",\"availability\"]")]
    [InlineData("security and availability", "[\"security\",\"availability\"]")]
    [InlineData("Availability; Security", "[\"security\",\"availability\"]")]
    [InlineData("all", "[\"security\",\"availability\",\"processing_integrity\",\"confidentiality\",\"privacy\"]")]
    [InlineData("security", "[\"security\"]")]
    public void Multi_choices_are_read_as_lists_in_checklist_order(string text, string expected) =>
        Assert.Equal(expected, Accepted(Criteria, text));

    [Fact]
    public void A_multi_choice_with_one_bad_item_is_rejected_whole() =>
        Assert.Contains("\"blockchain\" is not one of the options", Rejected(Criteria, "security, blockchain"));

    [Theory]
    [InlineData("2026-06-30")]
    [InlineData("06/30/2026")]
    [InlineData("6/30/2026")]
    [InlineData("June 30 2026")]
    [InlineData("June 30, 2026")]
    [InlineData("30 June 2026")]
    [InlineData("Jun 30th, 2026")]
    [InlineData("30/06/2026")]
    public void Dates_are_read_in_common_formats(string text) =>
        Assert.Equal("\"2026-06-30\"", Accepted(Q(QuestionType.Date), text));

    [Fact]
    public void A_month_without_a_day_is_refused_with_a_helpful_example()
    {
        var message = Rejected(Q(QuestionType.Date), "end of June 2026");
        Assert.Contains("names a month, not a day", message);
        Assert.Contains("2026-06-30", message);
    }

    [Theory]
    [InlineData("31/31/2026")]
    [InlineData("yesterday")]
    [InlineData("1850-01-01")]
    public void Impossible_or_vague_dates_are_rejected(string text) =>
        Assert.IsType<ParsedAnswer.Rejected>(AnswerParser.Parse(Q(QuestionType.Date), text));

    [Theory]
    [InlineData("12", "12")]
    [InlineData("12 months", "12")]
    [InlineData("6 mo", "6")]
    [InlineData("1 year", "12")]
    [InlineData("about 9 months", "9")]
    public void Numbers_are_read_with_units(string text, string expected) =>
        Assert.Equal(expected, Accepted(Q(QuestionType.Number, "months", 1, 24), text));

    [Fact]
    public void Weeks_convert_to_days_and_foreign_units_are_refused()
    {
        var days = Q(QuestionType.Number, "days", 0, 365);
        Assert.Equal("14", Accepted(days, "2 weeks"));
        Assert.Contains("answered in days, not \"gallons\"", Rejected(days, "3 gallons"));
    }

    [Fact]
    public void Numbers_outside_the_range_or_fractional_are_refused()
    {
        var months = Q(QuestionType.Number, "months", 1, 24);
        Assert.Contains("from 1 to 24", Rejected(months, "36"));
        Assert.Contains("whole number", Rejected(months, "4.5"));
        Assert.Contains("as a number", Rejected(months, "twelve-ish"));
    }

    [Fact]
    public void Text_answers_are_kept_as_typed_and_bounded()
    {
        var text = Q(QuestionType.Text);
        Assert.Equal("\"Payroll module excluded\"", Accepted(text, "  Payroll module excluded "));
        Assert.Contains("under 4,000", Rejected(text, new string('a', 5000)));
    }

    [Fact]
    public void Display_shows_labels_units_and_unknown()
    {
        Assert.Equal("SOC 2 Type II", AnswerParser.Display(ReportType, JsonSerializer.SerializeToElement("type2")));
        Assert.Equal("12 months", AnswerParser.Display(Q(QuestionType.Number, "months"), JsonSerializer.SerializeToElement(12)));
        Assert.Equal("unknown", AnswerParser.Display(ReportType, JsonSerializer.SerializeToElement<object?>(null)));
    }
}
