from .kit import at


def test_ref(run):
    run.move_to(at("2026-12-21"))
    case = run.start("cdop")
    run.run_to_end(case, plan={"panel_review": {"abuse_neglect_suspected": True, "recommendations": 1}})
    for i in run.instances():
        print(i.process_key, i.status, i.title, sorted(i.data)[:6])
    scr = run.newest("scr")
    print(run.run_to_end(scr.id))
    print(run.instance(scr.id).status)
