//! Where the data lives: `--data-dir DIR`, else `FIELDWORK_DATA_DIR`, else the OS data folder —
//! the same rule as the `fieldwork` command, so both can share one store.

use std::path::PathBuf;

pub fn resolve(args: impl Iterator<Item = String>) -> Result<PathBuf, String> {
    let mut args = args.skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return args
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| "--data-dir needs a folder".into());
        }
        if let Some(dir) = arg.strip_prefix("--data-dir=") {
            return Ok(PathBuf::from(dir));
        }
    }
    if let Some(dir) = std::env::var_os("FIELDWORK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("com", "Fieldwork", "fieldwork")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| String::from("no home folder; pass --data-dir or set FIELDWORK_DATA_DIR"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn the_flag_wins_in_both_spellings() {
        assert_eq!(resolve(args(&["app", "--data-dir", "/x"])).unwrap(), PathBuf::from("/x"));
        assert_eq!(resolve(args(&["app", "--data-dir=/y"])).unwrap(), PathBuf::from("/y"));
        assert!(resolve(args(&["app", "--data-dir"])).is_err());
    }
}
