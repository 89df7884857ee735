//! `sepakat workflow check|diagram`: workflow files validated and drawn.

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use sepakat_core::Workflow;
use sepakat_core::diagram;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum WorkflowCommand {
    /// Validate workflow files; exits non-zero with every error (file:line:column) when one is invalid.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the pipeline of a workflow as Mermaid or Graphviz DOT.
    Diagram {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum DiagramFormat {
    Mermaid,
    Dot,
}

fn load_workflow(path: &PathBuf) -> Result<Result<Workflow, sepakat_core::WorkflowErrors>> {
    let source = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read workflow file {}: check the path",
            path.display()
        )
    })?;
    Ok(Workflow::from_toml(&path.display().to_string(), &source))
}

/// Runs one `sepakat workflow` subcommand.
pub(crate) fn run(command: WorkflowCommand) -> Result<ExitCode> {
    match command {
        WorkflowCommand::Check { files } => {
            let mut failed = false;
            for f in &files {
                match load_workflow(f)? {
                    Ok(wf) => println!(
                        "{}: ok ({} {}, {} stages, {} transitions, sha256 {})",
                        f.display(),
                        wf.name,
                        wf.title,
                        wf.stages.len(),
                        wf.transitions.len(),
                        &wf.hash[..12]
                    ),
                    Err(errors) => {
                        failed = true;
                        eprintln!("{errors}");
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        WorkflowCommand::Diagram { file, format } => {
            let wf = match load_workflow(&file)? {
                Ok(wf) => wf,
                Err(errors) => bail!("{errors}"),
            };
            let format = match format {
                DiagramFormat::Mermaid => diagram::Format::Mermaid,
                DiagramFormat::Dot => diagram::Format::Dot,
            };
            print!("{}", diagram::render(&wf, format));
            Ok(ExitCode::SUCCESS)
        }
    }
}
