// The tag functions. Each makes an ``Element``; attributes first, content in a builder block.

/// A `<div>` element.
public func div<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "div", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<div>` element.
public func div(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "div", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<span>` element.
public func span<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "span", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<span>` element.
public func span(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "span", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<p>` element.
public func p<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "p", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<p>` element.
public func p(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "p", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<a>` element.
public func a<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "a", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<a>` element.
public func a(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "a", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h1>` element.
public func h1<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h1", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h1>` element.
public func h1(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h1", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h2>` element.
public func h2<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h2", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h2>` element.
public func h2(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h2", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h3>` element.
public func h3<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h3", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h3>` element.
public func h3(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h3", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h4>` element.
public func h4<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h4", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h4>` element.
public func h4(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h4", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h5>` element.
public func h5<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h5", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h5>` element.
public func h5(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h5", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h6>` element.
public func h6<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h6", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h6>` element.
public func h6(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h6", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<ul>` element.
public func ul<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "ul", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<ul>` element.
public func ul(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "ul", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<ol>` element.
public func ol<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "ol", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<ol>` element.
public func ol(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "ol", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<li>` element.
public func li<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "li", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<li>` element.
public func li(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "li", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<nav>` element.
public func nav<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "nav", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<nav>` element.
public func nav(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "nav", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<header>` element.
public func header<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "header", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<header>` element.
public func header(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "header", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<footer>` element.
public func footer<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "footer", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<footer>` element.
public func footer(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "footer", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<main>` element.
public func main<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "main", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<main>` element.
public func main(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "main", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<section>` element.
public func section<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "section", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<section>` element.
public func section(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "section", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<article>` element.
public func article<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "article", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<article>` element.
public func article(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "article", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<aside>` element.
public func aside<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "aside", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<aside>` element.
public func aside(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "aside", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<form>` element.
public func form<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "form", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<form>` element.
public func form(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "form", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<button>` element.
public func button<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "button", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<button>` element.
public func button(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "button", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<label>` element.
public func label<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "label", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<label>` element.
public func label(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "label", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<select>` element.
public func select<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "select", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<select>` element.
public func select(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "select", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<option>` element.
public func option<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "option", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<option>` element.
public func option(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "option", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<textarea>` element.
public func textarea<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "textarea", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<textarea>` element.
public func textarea(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "textarea", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<strong>` element.
public func strong<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "strong", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<strong>` element.
public func strong(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "strong", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<em>` element.
public func em<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "em", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<em>` element.
public func em(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "em", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<small>` element.
public func small<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "small", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<small>` element.
public func small(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "small", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<code>` element.
public func code<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "code", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<code>` element.
public func code(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "code", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<pre>` element.
public func pre<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "pre", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<pre>` element.
public func pre(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "pre", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<table>` element.
public func table<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "table", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<table>` element.
public func table(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "table", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<thead>` element.
public func thead<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "thead", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<thead>` element.
public func thead(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "thead", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<tbody>` element.
public func tbody<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "tbody", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<tbody>` element.
public func tbody(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "tbody", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<tr>` element.
public func tr<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "tr", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<tr>` element.
public func tr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "tr", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<th>` element.
public func th<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "th", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<th>` element.
public func th(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "th", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<td>` element.
public func td<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "td", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<td>` element.
public func td(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "td", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<time>` element.
public func time<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "time", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<time>` element.
public func time(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "time", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<figure>` element.
public func figure<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "figure", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<figure>` element.
public func figure(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "figure", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<figcaption>` element.
public func figcaption<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "figcaption", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<figcaption>` element.
public func figcaption(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "figcaption", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<blockquote>` element.
public func blockquote<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "blockquote", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<blockquote>` element.
public func blockquote(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "blockquote", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dl>` element.
public func dl<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dl", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dl>` element.
public func dl(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dl", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dt>` element.
public func dt<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dt", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dt>` element.
public func dt(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dt", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dd>` element.
public func dd<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dd", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dd>` element.
public func dd(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dd", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<mark>` element.
public func mark<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "mark", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<mark>` element.
public func mark(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "mark", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<abbr>` element.
public func abbr<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "abbr", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<abbr>` element.
public func abbr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "abbr", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<img>` element (void: no content, no end tag).
public func img(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "img", attributes: attributes, content: EmptyHTML(), isVoid: true)
}

/// A `<input>` element (void: no content, no end tag).
public func input(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "input", attributes: attributes, content: EmptyHTML(), isVoid: true)
}

/// A `<br>` element (void: no content, no end tag).
public func br(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "br", attributes: attributes, content: EmptyHTML(), isVoid: true)
}

/// A `<hr>` element (void: no content, no end tag).
public func hr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "hr", attributes: attributes, content: EmptyHTML(), isVoid: true)
}

/// A `<meta>` element (void: no content, no end tag).
public func meta(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "meta", attributes: attributes, content: EmptyHTML(), isVoid: true)
}

/// A `<link>` element (void: no content, no end tag).
public func link(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "link", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
