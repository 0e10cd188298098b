//! The theme as the config file gives it: `theme = "light"`, or a
//! `[theme]` table with a name and colours.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The theme as the config file gives it: a name, or a table.
#[derive(Debug, Clone, Default)]
pub struct ThemeSetting {
    pub name: Option<Spanned<String>>,
    pub colors: BTreeMap<String, Spanned<String>>,
}

impl<'de> Deserialize<'de> for ThemeSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ThemeSetting;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a theme name (dark, light, mono) or a [theme] table with name and colors")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ThemeSetting, E> {
                // The span is the whole `theme` value's, added by the caller.
                Ok(ThemeSetting { name: Some(Spanned::new(0..0, name.to_string())), colors: BTreeMap::new() })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ThemeSetting, A::Error> {
                let mut setting = ThemeSetting::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => setting.name = Some(map.next_value()?),
                        "colors" => setting.colors = map.next_value()?,
                        other => return Err(serde::de::Error::unknown_field(other, &["name", "colors"])),
                    }
                }
                Ok(setting)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
