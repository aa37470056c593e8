using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Checklist;

public sealed class ChecklistFileTests
{
    private static readonly ChecklistDefinition Checklist = ChecklistLoader.Load(Path.Combine(TestPaths.Knowledge, "checklist.yaml"));

    // The public contract of shared/spec/checklist-keys.md: key, type, values (in order), conditions.
    public static TheoryData<string, QuestionType, string, string> SpecKeys => new()
    {
        { "handles_phi", QuestionType.YesNo, "", "" },
        { "soc2_report_type", QuestionType.Choice, "none,type1,type2", "" },
        { "soc2_period_months", QuestionType.Number, "", "soc2_report_type == type2" },
        { "soc2_period_end", QuestionType.Date, "", "soc2_report_type in [type1, type2]" },
        { "soc2_criteria", QuestionType.MultiChoice, "security,availability,processing_integrity,confidentiality,privacy", "soc2_report_type in [type1, type2]" },
        { "soc2_opinion", QuestionType.Choice, "unqualified,qualified,adverse,disclaimer", "soc2_report_type in [type1, type2]" },
        { "soc2_exceptions", QuestionType.Text, "", "soc2_report_type in [type1, type2]" },
        { "scope_exclusions", QuestionType.Text, "", "soc2_report_type in [type1, type2]" },
        { "subservice_method", QuestionType.Choice, "inclusive,carve-out,none", "soc2_report_type in [type1, type2]" },
        { "subprocessors_with_soc2", QuestionType.Choice, "all,some,none,unknown", "" },
        { "cuecs_reviewed", QuestionType.YesNo, "", "soc2_report_type in [type1, type2]" },
        { "bridge_letter", QuestionType.YesNo, "", "soc2_report_type in [type1, type2]" },
        { "hipaa_evidence", QuestionType.Choice, "risk_analysis,attestation_letter,none", "handles_phi != false" },
        { "risk_analysis_date", QuestionType.Date, "", "handles_phi != false; hipaa_evidence == risk_analysis" },
        { "risk_analysis_by", QuestionType.Choice, "third_party,internal,unknown", "handles_phi != false; hipaa_evidence == risk_analysis" },
        { "baa_signed", QuestionType.YesNo, "", "handles_phi != false" },
        { "baa_breach_notification_days", QuestionType.Number, "", "handles_phi != false; baa_signed == true" },
        { "baa_subcontractor_flowdown", QuestionType.YesNo, "", "handles_phi != false; baa_signed == true" },
        { "baa_return_destruction", QuestionType.YesNo, "", "handles_phi != false; baa_signed == true" },
        { "incident_response_plan", QuestionType.Choice, "documented_tested,documented,none", "" },
        { "hitrust", QuestionType.Choice, "r2,i1,e1,none", "" },
        { "mfa_all_production", QuestionType.YesNo, "", "" },
        { "encryption_at_rest", QuestionType.YesNo, "", "" },
        { "byod_access_to_prod", QuestionType.YesNo, "", "" },
        { "phishing_simulation", QuestionType.YesNo, "", "" },
        { "pen_test_last_12_months", QuestionType.YesNo, "", "" },
    };

    [Theory]
    [MemberData(nameof(SpecKeys))]
    public void Every_spec_key_is_asked_with_its_type_values_and_condition(string key, QuestionType type, string values, string when)
    {
        var q = Checklist.Find(key);
        Assert.NotNull(q);
        Assert.Equal(type, q.Type);
        Assert.Equal(values, string.Join(",", q.Options.Select(o => o.Value)));
        Assert.Equal(when, string.Join("; ", q.When));
    }

    [Fact]
    public void The_checklist_has_at_least_35_questions_each_with_a_why_and_a_prompt()
    {
        Assert.True(Checklist.Questions.Count >= 35, $"only {Checklist.Questions.Count} questions");
        Assert.All(Checklist.Questions, q =>
        {
            Assert.False(string.IsNullOrWhiteSpace(q.Prompt));
            Assert.True(q.Why.Length > 80, $"{q.Key}: the why paragraph is too short");
        });
        Assert.Equal(9, Checklist.Sections.Count);
    }

    [Fact]
    public void A_condition_on_a_later_question_or_an_impossible_value_is_refused_with_the_question_named()
    {
        const string yaml = """
            sections:
              - id: s
                title: S
                questions:
                  - key: a
                    prompt: A?
                    type: yesno
                    why: because
                    when: [b == true]
                  - key: b
                    prompt: B?
                    type: choice
                    why: because
                    options: [{ value: x, label: X }, { value: y, label: Y }]
                  - key: c
                    prompt: C?
                    type: text
                    why: because
                    when: [b == z]
            """;
        var e = Assert.Throws<InvalidDataException>(() => ChecklistLoader.Parse(yaml));
        Assert.Contains("question 'a' in section 's': condition 'b == true' refers to 'b', which is not an earlier question", e.Message);
        Assert.Contains("question 'c' in section 's': condition 'b == z' compares 'b' with a value it cannot have", e.Message);
    }

    [Fact]
    public void Bad_yaml_names_the_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => ChecklistLoader.Parse("sections:\n  - id: s\n    title: [unclosed\n"));
        Assert.Contains("line", e.Message);
    }
}
