import Testing

@testable import Templating

private func render(
    _ source: String, _ context: TemplateValue = [:], partials: [String: String] = [:]
) throws -> String {
    var templates = ["main": try Template(source)]
    for (name, text) in partials { templates[name] = try Template(text) }
    let bytes = try #require(TemplateLibrary(templates: templates).render(context, template: "main"))
    return String(decoding: bytes, as: UTF8.self)
}

private func syntaxError(_ source: String) -> TemplateSyntaxError? {
    do {
        _ = try Template(source)
        return nil
    } catch {
        return error
    }
}

@Suite struct VariableTests {
    @Test func escapesHTMLByDefaultAndNotInTripleOrAmpersand() throws {
        let context: TemplateValue = ["x": "<a href=\"1\">'&'</a>"]
        #expect(try render("{{x}}", context) == "&lt;a href=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(try render("{{{x}}}|{{& x}}", context) == "<a href=\"1\">'&'</a>|<a href=\"1\">'&'</a>")
    }

    @Test func printsNumbersAndBooleansAndNothingForMissingNames() throws {
        #expect(try render("{{n}} {{b}} [{{missing}}]", ["n": 42, "b": true]) == "42 true []")
    }

    @Test func dottedNamesResolveTheFirstPartUpTheStackAndTheRestInside() throws {
        let context: TemplateValue = ["a": ["b": ["c": "deep"]], "name": "outer", "inner": ["other": 1]]
        #expect(try render("{{a.b.c}}", context) == "deep")
        #expect(try render("{{#inner}}{{name}}{{/inner}}", context) == "outer")
        // Once `a` is found, `a.x` does not fall back to the outer values.
        #expect(try render("{{#a}}[{{a.name}}]{{/a}}", ["a": ["q": 1], "name": "no"]) == "[]")
        // A leading dot looks only at the innermost value.
        #expect(try render("{{#inner}}[{{.name}}]{{/inner}}", context) == "[]")
    }

    @Test func implicitIteratorPrintsEachElement() throws {
        #expect(try render("{{#list}}<{{.}}>{{/list}}", ["list": ["a", "b&c"]]) == "<a><b&amp;c>")
    }
}

@Suite struct SectionTests {
    @Test func truthiness() throws {
        let context: TemplateValue = [
            "t": true, "f": false, "empty": [], "list": [1, 2], "text": "", "zero": 0, "object": ["k": "v"],
        ]
        #expect(try render("{{#t}}T{{/t}}{{#f}}F{{/f}}{{#missing}}M{{/missing}}", context) == "T")
        #expect(try render("{{#empty}}E{{/empty}}{{^empty}}none{{/empty}}", context) == "none")
        #expect(try render("{{#list}}{{.}},{{/list}}", context) == "1,2,")
        // Strings (even empty) and numbers (even 0) are truthy and become the innermost value.
        #expect(try render("{{#text}}S{{/text}}{{#zero}}Z{{.}}{{/zero}}{{#object}}{{k}}{{/object}}", context) == "SZ0v")
        #expect(try render("{{^f}}not f{{/f}}{{^t}}not t{{/t}}{{^missing}}no m{{/missing}}", context) == "not fno m")
    }

    @Test func listElementsSeeOuterValues() throws {
        let context: TemplateValue = ["site": "S", "posts": [["title": "a"], ["title": "b"]]]
        #expect(try render("{{#posts}}{{title}}@{{site}} {{/posts}}", context) == "a@S b@S ")
    }
}

@Suite struct WhitespaceTests {
    @Test func standaloneTagsRemoveTheirLine() throws {
        let source = "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n  {{! note }}\n</ul>\n"
        #expect(try render(source, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
    }

    @Test func tagsSharingALineWithTextOrOtherTagsAreNotStandalone() throws {
        #expect(try render("a {{#t}}\nb{{/t}} c\n", ["t": true]) == "a \nb c\n")
        #expect(try render("{{#t}}{{x}}{{/t}}\n", ["t": true, "x": "X"]) == "X\n")
    }

    @Test func standaloneAtTheEndOfTheTemplateAndWithCRLF() throws {
        #expect(try render("a\n{{#t}}\r\nb\r\n{{/t}}", ["t": true]) == "a\nb\r\n")
    }

    @Test func indentedStandalonePartialIndentsEachLine() throws {
        let result = try render(
            "<div>\n    {{>inner}}\n</div>\n", ["x": "X"], partials: ["inner": "<p>\n  {{x}}\n</p>\n"])
        #expect(result == "<div>\n    <p>\n      X\n    </p>\n</div>\n")
    }

    @Test func inlinePartialIsNotIndented() throws {
        #expect(try render("a {{>p}} b", [:], partials: ["p": "1\n2"]) == "a 1\n2 b")
    }
}

@Suite struct InheritanceTests {
    let base = "<html>\n{{$head}}<title>default</title>{{/head}}\n<main>\n{{$content}}{{/content}}\n</main>\n</html>\n"

    @Test func childOverridesBlocksAndKeepsDefaults() throws {
        let child = "{{<base}}\n{{$content}}\n<p>{{text}}</p>\n{{/content}}\n{{/base}}\n"
        let result = try render(child, ["text": "olá"], partials: ["base": base])
        // `{{$content}}{{/content}}` shares its line in the base, so that line's newline stays.
        #expect(result == "<html>\n<title>default</title>\n<main>\n<p>olá</p>\n\n</main>\n</html>\n")
    }

    @Test func outerOverridesWinOverInnerOnes() throws {
        let middle = "{{<base}}{{$head}}middle{{/head}}{{/base}}"
        let child = "{{<middle}}{{$head}}child{{/head}}{{/middle}}"
        let result = try render(child, [:], partials: ["base": base, "middle": middle])
        #expect(result.contains("child") && !result.contains("middle") && !result.contains("default"))
    }

    @Test func onlyBlocksMayAppearInsideAParent() {
        #expect(
            syntaxError("{{<base}}\n{{x}}\n{{/base}}")?.message == "only {{$block}} tags may appear inside {{<base}}")
    }
}

@Suite struct SyntaxErrorTests {
    @Test func errorsCarryLineAndCharacterColumn() {
        #expect(
            syntaxError("ok\nçã {{#a}}\n")
                == TemplateSyntaxError(line: 2, column: 4, message: "section 'a' is never closed"))
        #expect(
            syntaxError("{{#a}}\n  {{/b}}")
                == TemplateSyntaxError(line: 2, column: 3, message: "{{/b}} does not match the open {{#a}}"))
        #expect(syntaxError("x {{/a}}")?.message == "{{/a}} closes a section that was never opened")
        #expect(syntaxError("a {{name")?.message == "unfinished tag: no closing }}")
        #expect(syntaxError("{{}}")?.message == "a tag needs a name")
    }

    @Test func templatesCannotCallCode() {
        #expect(
            syntaxError("{{uppercased(name)}}")?.message == "transforms such as 'uppercased(name)' are not supported")
        #expect(syntaxError("{{%CONTENT_TYPE: TEXT}}")?.message == "{{% … }} settings are not supported")
        #expect(syntaxError("{{>*dynamic}}")?.message == "dynamic names such as '*dynamic' are not supported")
    }

    @Test func contentValuesAreNeverParsedAsTemplates() throws {
        // A title that looks like a tag is printed, escaped, not interpreted.
        #expect(
            try render("<h1>{{title}}</h1>", ["title": "{{#x}}<script>{{/x}}"]) == "<h1>{{#x}}&lt;script&gt;{{/x}}</h1>"
        )
    }

    @Test func setDelimiters() throws {
        #expect(try render("{{=<% %>=}}<% x %> {{x}}", ["x": "1"]) == "1 {{x}}")
        #expect(syntaxError("{{= <% =}}")?.message == "invalid set-delimiter tag")
    }

    @Test func partialReferencesAreListedWithTheirPosition() throws {
        let template = try Template("a\n  {{> partials/x }}\n{{<base}}{{/base}}")
        #expect(template.references.map(\.name) == ["partials/x", "base"])
        #expect(template.references.map(\.line) == [2, 3])
        #expect(template.references.map(\.column) == [3, 1])
    }
}
