pub fn tests() -> Vec<(String, super::Test)> {
    Vec::new()
}
