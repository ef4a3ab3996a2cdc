//! Prints the tree-sitter-bash syntax tree of each argument (a development aid).
fn main() {
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .is_err()
    {
        eprintln!("cannot load the bash grammar");
        std::process::exit(1);
    }
    for source in std::env::args().skip(1) {
        match parser.parse(&source, None) {
            Some(tree) => println!("{source}\n{}\n", tree.root_node().to_sexp()),
            None => println!("{source}\n(no tree)\n"),
        }
    }
}
