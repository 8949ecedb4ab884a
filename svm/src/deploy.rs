//! Programs deployed as a validator holds them: BPF upgradeable loader
//! program + ProgramData accounts, with an upgrade authority.

use std::path::PathBuf;

use litesvm::error::LiteSVMError;
use litesvm::LiteSVM;
use solana_address::Address;
use solana_sdk_ids::bpf_loader_upgradeable;

/// The environment variable naming the directory of the SBF builds
/// (`<program>.so`); `./dev` sets it to the cached output of
/// `toolchain/sbf/build-sbf.sh`.
pub const SBF_DIR_ENV: &str = "DISPATCH_SBF_DIR";

/// Byte range of the upgrade authority in a ProgramData account: the
/// `UpgradeableLoaderState::ProgramData` tag (u32 = 3) and slot (u64), then
/// `Option<Pubkey>` as one tag byte and 32 bytes; the ELF follows at 45.
const AUTHORITY_TAG: usize = 12;
const AUTHORITY: std::ops::Range<usize> = 13..45;

/// The ProgramData address of an upgradeable program (PDA `[program_id]`
/// of the BPF upgradeable loader).
pub fn programdata_address(program_id: &Address) -> Address {
    Address::find_program_address(&[program_id.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// Deploys `elf` at `program_id` with the BPF upgradeable loader: an
/// executable program account pointing at its ProgramData, which holds the
/// ELF and `authority` as upgrade authority (`None`: immutable). The ELF
/// goes through the runtime's verifier; returns the ProgramData address.
pub fn deploy_upgradeable(
    svm: &mut LiteSVM,
    program_id: Address,
    elf: &[u8],
    authority: Option<&Address>,
) -> Result<Address, LiteSVMError> {
    svm.add_program(program_id, elf)?;
    let programdata = programdata_address(&program_id);
    let mut account = svm.get_account(&programdata).expect("add_program creates the ProgramData account");
    match authority {
        Some(key) => {
            account.data[AUTHORITY_TAG] = 1;
            account.data[AUTHORITY].copy_from_slice(key.as_ref());
        }
        None => {
            account.data[AUTHORITY_TAG] = 0;
            account.data[AUTHORITY].fill(0);
        }
    }
    svm.set_account(programdata, account)?;
    Ok(programdata)
}

/// The upgrade authority recorded in `program_id`'s ProgramData, if any.
pub fn upgrade_authority_of(svm: &LiteSVM, program_id: &Address) -> Option<Address> {
    let data = svm.get_account(&programdata_address(program_id))?.data;
    (data.get(AUTHORITY_TAG) == Some(&1)).then(|| Address::try_from(&data[AUTHORITY]).expect("32 bytes"))
}

/// The directory of the SBF builds, from `$DISPATCH_SBF_DIR`; panics with
/// what to do when it is not set or missing.
pub fn sbf_dir() -> PathBuf {
    let dir = std::env::var_os(SBF_DIR_ENV).map(PathBuf::from).unwrap_or_else(|| {
        panic!(
            "{SBF_DIR_ENV} is not set: the programs' tests run their SBF builds. Run them through ./dev \
             (./dev test, or ./dev run cargo test ...), which builds the programs to SBF \
             (toolchain/sbf/build-sbf.sh) and sets it; or set it to that script's output directory."
        )
    });
    if !dir.is_dir() {
        panic!("{SBF_DIR_ENV}={} is not a directory: rerun ./dev setup (toolchain/sbf/build-sbf.sh)", dir.display());
    }
    dir
}

/// The SBF build of program `name` (`$DISPATCH_SBF_DIR/<name>.so`).
pub fn sbf_program(name: &str) -> Vec<u8> {
    let path = sbf_dir().join(format!("{name}.so"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}. Is {name} under programs/? Rerun ./dev setup to build it to SBF.", path.display()))
}
