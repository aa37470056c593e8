using Microsoft.SemanticKernel;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DueDiligenceBot.Core.Llm;

/// <summary>
/// Reads a prompt template from <c>prompts/*.yaml</c> into Semantic Kernel's <see cref="PromptTemplateConfig"/>
/// (the SK YAML package is not available to us, so YamlDotNet does the parsing) and checks that it uses the
/// variables the caller will supply.
/// </summary>
public static class PromptLoader
{
    public static PromptTemplateConfig Load(string path, params string[] requiredVariables)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new InvalidDataException($"{name}: prompt file not found at {path}");
        Dto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
                .Deserialize<Dto>(File.ReadAllText(path)) ?? new Dto();
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{name}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(dto.Template)) throw new InvalidDataException($"{name}: 'template' is required");
        var missing = requiredVariables.Where(v => !dto.Template.Contains("{{$" + v + "}}", StringComparison.Ordinal)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{name}: the template must use {string.Join(", ", missing.Select(v => "{{$" + v + "}}"))}");

        var config = new PromptTemplateConfig(dto.Template)
        {
            Name = dto.Name,
            Description = dto.Description,
            TemplateFormat = string.IsNullOrWhiteSpace(dto.TemplateFormat) ? PromptTemplateConfig.SemanticKernelTemplateFormat : dto.TemplateFormat,
        };
        foreach (var v in dto.InputVariables ?? [])
            config.InputVariables.Add(new InputVariable { Name = v.Name ?? "", Description = v.Description, IsRequired = v.IsRequired });
        foreach (var (serviceId, settings) in dto.ExecutionSettings ?? [])
        {
            var s = new PromptExecutionSettings { ServiceId = serviceId == "default" ? null : serviceId, ExtensionData = new Dictionary<string, object>() };
            foreach (var (key, value) in settings ?? []) s.ExtensionData[key] = ParseScalar(value);
            config.AddExecutionSettings(s, serviceId);
        }
        return config;
    }

    private static object ParseScalar(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i
        : double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d
        : bool.TryParse(value, out var b) ? b
        : value;

    private sealed class Dto
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public string? TemplateFormat { get; set; }
        public string? Template { get; set; }
        public List<VariableDto>? InputVariables { get; set; }
        public Dictionary<string, Dictionary<string, string>?>? ExecutionSettings { get; set; }
    }

    private sealed class VariableDto
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public bool IsRequired { get; set; }
    }
}
