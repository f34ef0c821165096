// The checklist a job asks, for the end-to-end tests of the desktop app and the console.
//
// A job follows its type's checklist items for its equipment (an item names the products it is
// asked on, or none for every product), so the template alone does not say which items a job
// asks: its record's `checklist` does. These return the template items (key, kind, options) of
// the items the job asks, in order.

/** Every item `job` (a job detail or head office's job record) asks. */
export function askedItems(job) {
  return job.checklist.map((answer) => {
    const item = job.job_type.checklist.find((i) => i.key === answer.item_key);
    if (!item) throw new Error(`the job asks ${answer.item_key}, which its type does not have`);
    return item;
  });
}

/** The required items `job` asks. */
export function requiredItems(job) {
  return askedItems(job).filter((i) => i.required);
}
