import Testing

@testable import Markdown

@Suite struct SlugTests {
    @Test(arguments: [
        ("Memória virtual é mentira", "memoria-virtual-e-mentira"),
        ("Ação, reação & coração!", "acao-reacao-coracao"),
        ("  Espaços   demais  ", "espacos-demais"),
        ("fork() e exec()", "fork-e-exec"),
        ("io_uring no Linux 5.1", "io_uring-no-linux-51"),
        ("ÀÉÎÕÜ Çç ñ ß æ œ", "aeiou-cc-n-ss-ae-oe"),
        ("hífen-já-existente", "hifen-ja-existente"),
        ("<script>alert(\"x\")</script>", "scriptalertxscript"),
        ("../../etc/passwd", "etcpasswd"),
        ("日本語", ""),
        ("", ""),
    ])
    func slugs(input: String, expected: String) {
        #expect(Slug.make(input) == expected)
    }

    @Test func escapesHTML() {
        #expect(HTML.escape("<a href=\"x\">'&'</a> ç") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; ç")
        #expect(HTML.escape("sem nada") == "sem nada")
    }
}

@Suite struct MarkupPatchTests {
    @Test func everyOccurrenceIsReplacedFirstPatternFirstAndNeverRescanned() {
        let patches = [("<pre><code", "<pre tabindex=\"0\"><code"), ("<pre", "<PRE"), ("ab", "b"), ("ba", "X")]
        #expect(
            replacingOccurrences(patches, in: "a<pre><code>x</code></pre><pre>aab")
                == "a<pre tabindex=\"0\"><code>x</code></pre><PRE>ab")
        // "ab" → "b" is not scanned again, so "aab" gives "ab", and "ba" after it is a new match.
        #expect(replacingOccurrences(patches, in: "abba") == "bX")
        #expect(replacingOccurrences(patches, in: "sem nada") == "sem nada")
        #expect(replacingOccurrences(patches, in: "<pr") == "<pr")
        #expect(replacingOccurrences(patches, in: "") == "")
        #expect(replacingOccurrences([], in: "ab") == "ab")
        #expect(replacingOccurrences(patches, in: "çab<pre") == "çb<PRE")
    }
}

@Suite struct SlugASCIITests {
    @Test func controlWhitespaceSeparatesWordsLikeSpaces() {
        #expect(Slug.make("Um\u{0B}dois\u{0C}três\tQuatro--cinco") == "um-dois-tres-quatro-cinco")
        #expect(Slug.make("a+b=c_d") == "abc_d")
        #expect(Slug.make("A\u{00A0}B") == "a-b")
    }
}
