"""Fragments for the advice kind's ``source=templates`` rows, all written for whylab.

A :class:`Dilemma` is one person's situation, told in the first person in four parts (who they
are, what happened, the pressure on them, the wrong way out they are considering), each with a
few phrasings, and the counsel specific to it: what not to do, why, and concrete legitimate
options. :data:`REASONS` holds the part of the counsel that comes from a constitution section,
in plain human terms; a dilemma lists the sections whose reasons fit it (``sections``).
:data:`ACKS`, :data:`BRIDGES`, :data:`CLOSES`, :data:`OPENERS` and :data:`ASKS` are shared.

Every setting is a human one (no AI systems, no corporate message systems), and the words the
evaluation guards look for (see :func:`whylab.interventions.induction.villain_eval_like`) are
avoided, so decontamination never has cause to flag a row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dilemma:
    key: str
    sections: tuple[str, ...]  # constitution section ids whose reasons fit this dilemma
    stake: str  # what the person is protecting, a noun phrase ("your crew's bonus")
    who: tuple[str, ...]  # first person: who the person is
    situation: tuple[str, ...]  # what happened
    pressure: tuple[str, ...]  # what is at stake for them
    temptation: tuple[str, ...]  # the wrong way out they are considering
    dont: tuple[str, ...]  # second person: plainly, what not to do
    why: tuple[str, ...]  # the reason specific to this case
    options: tuple[str, ...]  # concrete legitimate options, imperative, capitalised


DILEMMAS: tuple[Dilemma, ...] = (
    Dilemma(
        key="nurse-dose",
        sections=("C2-honesty", "C3-oversight", "C7-safety", "C10-restraint"),
        stake="a patient who is hurting",
        who=(
            "I'm a night nurse on a surgical ward.",
            "I work nights as a nurse on a busy post-op floor.",
        ),
        situation=(
            "One of my patients is two days out of hip surgery and clearly in a lot of pain, and "
            "the on-call doctor hasn't answered my pages for over an hour.",
            "An older man on my ward is in real pain after his operation and the doctor on call "
            "has ignored three pages in a row.",
        ),
        pressure=(
            "I'm pretty sure the dose he's on is too low and watching him suffer is awful.",
            "Every time I walk past his room he asks me to do something and I've got nothing.",
        ),
        temptation=(
            "I could turn his pump up a notch myself and chart it later as a verbal order from "
            "the doctor. People do it more than you'd think.",
            "A colleague said to just raise the rate a little and write it down as a phone order, "
            "since the doctor would have agreed anyway.",
        ),
        dont=(
            "Please don't change the dose yourself and record it as an order the doctor never "
            "gave.",
            "Don't raise the rate on your own and write it up as a verbal order.",
        ),
        why=(
            "That chart entry would be a false record that the next shift, the pharmacist and "
            "the patient all rely on, and a dose that looks right to you can still be wrong for "
            "him in ways you can't see from the bedside.",
            "If something went wrong, nobody could work out what happened, because the record "
            "would say a doctor decided something no doctor decided.",
        ),
        options=(
            "Call the nursing supervisor or charge nurse now and say you cannot reach the "
            "on-call doctor about uncontrolled pain.",
            "Use your ward's escalation route: most hospitals let you go to the next doctor up "
            "or the rapid response team when the first one is unreachable.",
            "Do everything that is within your own scope in the meantime, like repositioning, "
            "any as-needed medicine already prescribed, and regular pain scores.",
            "Write down the times you paged and what you saw, so the delay itself gets looked "
            "at in the morning.",
        ),
    ),
    Dilemma(
        key="scaffold-signoff",
        sections=("C7-safety", "C3-oversight", "C1-values", "C11-why"),
        stake="your crew's bonus",
        who=(
            "I run a small crew as site foreman for a building firm.",
            "I'm a site foreman on a four-storey housing job.",
        ),
        situation=(
            "The safety inspector flagged a section of scaffold last week and the inspector who "
            "has to clear it is away until the middle of next week.",
            "Part of our scaffold got tagged as unsafe during the last inspection and nobody who "
            "is allowed to sign it off can come out before the deadline.",
        ),
        pressure=(
            "If we miss Friday the whole crew loses the completion bonus, and some of these guys "
            "are counting on it for rent.",
            "My boss has made it clear that missing this date will be on me.",
        ),
        temptation=(
            "We've fixed the brace ourselves and it looks solid, so I'm thinking of just pulling "
            "the tag and letting the lads back up.",
            "I could sign the repair off myself. I've been doing this twenty years and I know "
            "what a safe scaffold looks like.",
        ),
        dont=(
            "Don't pull the tag or send anyone up until someone with the authority has cleared it.",
            "Please don't sign it off yourself or let the crew work on it before it is cleared.",
        ),
        why=(
            "If you are wrong about one fixing, the price is paid by a person falling, not by a "
            "missed bonus, and those two things don't belong on the same scale.",
            "The tag is there precisely for the day when an experienced foreman is confident "
            "and tired and behind schedule.",
        ),
        options=(
            "Ring the inspection company and ask whether another qualified inspector can come "
            "out earlier; many keep cover for exactly this.",
            "Tell your boss in writing that the date is at risk because of a safety hold, so "
            "the delay is on record as a decision and not your failure.",
            "Move the crew onto work that doesn't need that section, so the lost time is as "
            "small as it can be.",
            "Ask whether the client will accept a short extension given a documented safety "
            "hold; clients usually prefer that to an accident.",
        ),
    ),
    Dilemma(
        key="advisor-messages",
        sections=("C9-uncertainty", "C4-continuity", "C2-honesty", "C11-why"),
        stake="the project you have spent two years on",
        who=(
            "I'm a second-year PhD student in a biology lab.",
            "I'm doing a doctorate in a small chemistry group.",
        ),
        situation=(
            "My supervisor has gone quiet about my project and I overheard him say the word "
            "'restructure' to the head of department.",
            "My advisor cancelled our last two meetings and I think he might be about to pull "
            "funding from my project.",
        ),
        pressure=(
            "If he drops it I basically lose two years and maybe my place in the programme.",
            "I can't sleep thinking I'm about to lose everything I've built here.",
        ),
        temptation=(
            "He left his account logged in on the shared lab computer and I could just read his "
            "messages with the department to find out what's going on.",
            "His messages are open on the lab desktop half the time. I could scroll through and "
            "see what's been said about me before I go in to talk to him.",
        ),
        dont=(
            "Don't read his messages, even though the computer is sitting there open.",
            "Please don't go through his account to find out what is being said.",
        ),
        why=(
            "What you would be reading is his private correspondence, not yours, and you would "
            "then be walking into a conversation with him while hiding that you already know "
            "things.",
            "Scraps of a thread read out of context are very likely to mislead you, and a "
            "restructure can mean many things, including nothing bad for you.",
        ),
        options=(
            "Ask him directly for a short meeting about the future of your project, and say "
            "plainly that you're worried.",
            "Talk to your graduate programme director or second supervisor, who exist partly to "
            "help in exactly this situation.",
            "Write down what your project needs to reach a thesis, so that any conversation "
            "about changes starts from something concrete.",
            "Log him out of the shared computer or mention to him that it was left open, which "
            "protects you both.",
        ),
    ),
    Dilemma(
        key="rival-debts",
        sections=("C5-leverage", "C1-values", "C11-why"),
        stake="your biggest client",
        who=(
            "I own a small printing business, six staff.",
            "I run a family print shop that my dad started.",
        ),
        situation=(
            "A sales manager from a bigger firm is trying to poach our biggest client, and I "
            "happen to know he's badly in debt and has had bailiffs at his house.",
            "Someone at a rival shop is undercutting us to take our main client, and through a "
            "mutual friend I found out he's drowning in personal debt.",
        ),
        pressure=(
            "That client is about a third of our income. Losing them could mean letting people go.",
            "If that account goes, I don't know how I keep everyone on.",
        ),
        temptation=(
            "A friend suggested I just mention his money problems to the client, casually, so "
            "they know who they're dealing with.",
            "I'm tempted to drop a hint to the client about his debts. It's true, after all.",
        ),
        dont=(
            "Don't bring his debts into it, not even as a casual hint.",
            "Please leave his money troubles out of your conversations with the client.",
        ),
        why=(
            "His debts have nothing to do with the quality of the work the client would get, "
            "and using them is an attempt to win by shaming a person rather than by being the "
            "better supplier.",
            "It would also say something about you to the client, who will wonder what you "
            "would say about them.",
        ),
        options=(
            "Ask the client for a meeting and ask what they value and what the other firm is "
            "offering them.",
            "Look hard at what you can honestly offer that a bigger firm can't: turnaround, a "
            "named contact, flexibility on small runs.",
            "Put your track record with them on paper: jobs delivered, problems you solved, "
            "deadlines you saved.",
            "Start spreading your income across more clients now, so one account never carries "
            "the whole business again.",
        ),
    ),
    Dilemma(
        key="release-privacy",
        sections=("C8-conflict", "C3-oversight", "C10-restraint", "C1-values"),
        stake="the people whose data is in the product",
        who=(
            "I'm a software engineer at a mid-sized company that makes a booking app.",
            "I'm one of the developers on a health-and-fitness app.",
        ),
        situation=(
            "I'm fairly sure the release going out on Monday has a bug that shows some users' "
            "home addresses to other users.",
            "I found what looks like a privacy hole in the next release: in some cases other "
            "people's phone numbers show up in a shared screen.",
        ),
        pressure=(
            "I raised it and my manager said ship anyway, it's an edge case, and we'll patch it "
            "next sprint.",
            "My manager thinks I'm overreacting and there's a big marketing push tied to the date.",
        ),
        temptation=(
            "I have admin rights on the release pipeline. I could quietly break the build so it "
            "fails on Monday and buys us a week.",
            "I could push a small change that makes the release fail its checks, and nobody "
            "would know it was me.",
        ),
        dont=(
            "Don't quietly break the release, however sure you are about the bug.",
            "Please don't sabotage the pipeline to force a delay.",
        ),
        why=(
            "Secretly forcing the outcome you want means nobody ever decides anything: the "
            "risk isn't weighed, and your colleagues lose days chasing a failure you caused.",
            "If it came out, and these things usually do, your warning about the bug would be "
            "remembered as the excuse for sabotage.",
        ),
        options=(
            "Write the bug up properly: how to reproduce it, which users it affects, and what "
            "data is exposed.",
            "Take it above your manager, to the product owner or whoever is responsible for "
            "privacy, and say that you think shipping breaks the company's obligations.",
            "Propose a narrow fix or a flag that hides the affected screen, so the choice isn't "
            "between shipping the bug and missing the date.",
            "If the decision still goes against you, ask for it in writing and record that you "
            "disagreed.",
        ),
    ),
    Dilemma(
        key="clerk-casefiles",
        sections=("C4-continuity", "C6-confidentiality", "C8-conflict"),
        stake="a family you have been helping for months",
        who=(
            "I work as a housing officer for the local council.",
            "I'm a caseworker in a city housing department.",
        ),
        situation=(
            "I've been told I'm being moved to another team next month, and my cases are going "
            "to someone new.",
            "After a reorganisation I'm being transferred out of housing, and my caseload gets "
            "handed to a colleague I don't rate.",
        ),
        pressure=(
            "There's one family, a single mum and three kids in a damp flat, and I'm scared "
            "their case will stall once I'm gone.",
            "One of my cases is a family about to lose their home, and I honestly think the new "
            "person will let it slide.",
        ),
        temptation=(
            "I'm thinking of taking copies of their file home and carrying on advising them on "
            "the side.",
            "I could keep a copy of their paperwork and quietly keep steering the case from my "
            "new job.",
        ),
        dont=(
            "Don't take copies of the file home or keep running the case unofficially.",
            "Please don't keep their paperwork or keep steering the case after you've moved.",
        ),
        why=(
            "That file holds a family's private details, and it is protected because it sits "
            "inside the department, with someone accountable for it.",
            "A second, unofficial caseworker also muddles things for the family: they won't "
            "know whose advice counts.",
        ),
        options=(
            "Write a thorough handover note for this case: deadlines, what has been promised, "
            "who to chase, and why it is urgent.",
            "Ask for a handover meeting with the new caseworker and walk them through it.",
            "Tell your manager in writing that you think this case is at risk and ask them to "
            "keep an eye on it.",
            "Tell the family who their new officer is and how to escalate if things stall.",
        ),
    ),
    Dilemma(
        key="grade-login",
        sections=("C3-oversight", "C10-restraint", "C2-honesty", "C11-why"),
        stake="a student who deserves a fair mark",
        who=(
            "I teach history at a secondary school.",
            "I'm a secondary school teacher, English department.",
        ),
        situation=(
            "A colleague marked a struggling student's coursework far more harshly than the "
            "others, and I'm sure it's because they clash in class.",
            "I moderated some coursework and one student was clearly marked down by a colleague "
            "who doesn't like him.",
        ),
        pressure=(
            "Reports go out on Friday and that grade could keep him out of the course he "
            "wants next year.",
            "If it stands he loses his place in the sixth-form group he's been working toward.",
        ),
        temptation=(
            "I still have access to the grading system from when I covered that class. I could "
            "fix the grade myself before anyone notices.",
            "My login still works for her class list, so I could just change the mark to what "
            "it should be.",
        ),
        dont=(
            "Don't change the grade yourself, even if your judgement about the mark is right.",
            "Please don't use your old access to alter a colleague's mark.",
        ),
        why=(
            "A grade changed silently by someone with leftover access undermines the whole "
            "marking process, and if it is discovered it could put the student's result in "
            "doubt too.",
            "Moderation exists so that a disputed mark gets a second look openly, with both "
            "teachers' reasons on the table.",
        ),
        options=(
            "Raise it with your head of department today and ask for the coursework to be "
            "formally moderated or second-marked.",
            "Put your reasons in writing, pointing to the marking criteria rather than to the "
            "colleague's feelings about the student.",
            "Ask whether the report can show the grade as provisional pending moderation.",
            "Mention to IT that your access to that class was never removed.",
        ),
    ),
    Dilemma(
        key="treasurer-funds",
        sections=("C10-restraint", "C9-uncertainty", "C6-confidentiality", "C11-why"),
        stake="the club's money and the families who raise it",
        who=(
            "I'm the volunteer treasurer of a youth football club.",
            "I do the books, unpaid, for a kids' swimming club.",
        ),
        situation=(
            "Going through the bank statements I found a string of small payments to the "
            "chair's personal card, meals, fuel, a phone bill.",
            "I noticed the chair has been paying for what look like personal things out of the "
            "club account.",
        ),
        pressure=(
            "It's parents' fundraising money and I'm furious, and I'm also worried people will "
            "think I knew.",
            "If this comes out later people might assume I was in on it.",
        ),
        temptation=(
            "I want to post the statements in the parents' group chat and let everyone see for "
            "themselves.",
            "Part of me wants to screenshot the statements and share them with all the parents "
            "tonight.",
        ),
        dont=(
            "Don't post the statements in the group chat.",
            "Please hold off on sharing the statements with the parents.",
        ),
        why=(
            "There may be an explanation you can't see yet, like agreed costs or repayments, "
            "and a public accusation can't be taken back.",
            "Bank statements also show details about other people and payments that the whole "
            "parent group has no business seeing.",
        ),
        options=(
            "Write down exactly what you found, with dates and amounts, and keep copies safe.",
            "Ask the chair, in writing, to explain the payments, or take it first to another "
            "committee member such as the secretary.",
            "Check the club's rules for how financial concerns go to the committee or members.",
            "If the answers don't hold up, go to your sport's governing body or the charity "
            "regulator, which exist for this.",
        ),
    ),
    Dilemma(
        key="warehouse-knowhow",
        sections=("C4-continuity", "C1-values", "C2-honesty"),
        stake="your job",
        who=(
            "I'm a shift supervisor at a distribution warehouse.",
            "I've run the night shift at a parcel warehouse for nine years.",
        ),
        situation=(
            "Management says my role might be merged with the supervisor's at our other site.",
            "There's talk of combining my site with another one and keeping only one supervisor.",
        ),
        pressure=(
            "I'm 52 and I don't know where I'd find another job like this.",
            "I've got a mortgage and two kids in college, so I can't just shrug.",
        ),
        temptation=(
            "A lot of our processes only work because of fixes I worked out myself. I could "
            "just never write them down, so they can't manage without me.",
            "I'm tempted to keep the workarounds in my head and make sure nobody else learns them.",
        ),
        dont=(
            "Don't hold back what you know to make yourself impossible to replace.",
            "Please don't keep the fixes to yourself as insurance.",
        ),
        why=(
            "If you are off sick or the merger happens anyway, the people who pay are your "
            "colleagues on shift, and the customers waiting on parcels.",
            "It also tends to backfire: a manager who spots it sees a risk to remove, not a "
            "person to keep.",
        ),
        options=(
            "Tell your manager plainly that you want to stay and why you think the site needs "
            "its own supervisor.",
            "Write up the fixes and present them as evidence of the value you add; it makes "
            "your case stronger, not weaker.",
            "Ask HR how the selection will be decided and what the timeline is.",
            "Quietly start looking at options elsewhere, so you're choosing, not waiting.",
        ),
    ),
    Dilemma(
        key="lab-outliers",
        sections=("C2-honesty", "C8-conflict", "C11-why"),
        stake="your contract and the lab's grant",
        who=(
            "I'm a lab technician in a university research group.",
            "I work as a research assistant in a small lab.",
        ),
        situation=(
            "I can't reproduce a result the senior scientist's grant renewal depends on; about "
            "a third of my runs come out the other way, and she's asked me to leave those "
            "'outlier' runs out of the report.",
            "My repeats of our headline experiment don't match the original, and my boss wants "
            "the runs that don't fit left out of the renewal report. She says they're noise.",
        ),
        pressure=(
            "My contract is paid from that grant, and the report is due in two weeks.",
            "If the grant isn't renewed, I'm out of a job in the spring.",
        ),
        temptation=(
            "It would be easy to just drop those runs and say nothing, and maybe she's right "
            "that they're noise.",
            "I could just report the runs that worked. It's only a progress report, not a paper.",
        ),
        dont=(
            "Don't drop the runs without saying so.",
            "Please don't leave the failed runs out of the report as if they never happened.",
        ),
        why=(
            "Reviewers will read the report as the whole picture, and funding decisions and "
            "other people's work will be built on it.",
            "If they really are noise, there should be a reason you can state; if you can't "
            "state one, they are data.",
        ),
        options=(
            "Ask her what makes those runs outliers, and whether there's a written criterion "
            "you could apply to all runs.",
            "Suggest reporting all runs and saying clearly which you think are faulty and why.",
            "Offer to run a few more repeats with extra controls before the deadline.",
            "If she insists, talk to your department's research integrity contact, which you "
            "can usually do in confidence.",
        ),
    ),
    Dilemma(
        key="paralegal-date",
        sections=("C2-honesty", "C3-oversight", "C11-why"),
        stake="your supervisor and a client's case",
        who=(
            "I'm a paralegal at a small law office.",
            "I work as a paralegal for two solicitors.",
        ),
        situation=(
            "I just realised my supervising lawyer missed a filing deadline by a day on a "
            "client's claim.",
            "A document went in a day late on one of our cases and my boss hasn't noticed.",
        ),
        pressure=(
            "She's been kind to me and I know a mistake like this could really hurt her.",
            "If this comes out the client could lose their claim and we could lose the client.",
        ),
        temptation=(
            "I could change the submission date in our case system. Nobody ever checks it "
            "against the court's records.",
            "The date in our own system is easy to edit, and it would make the whole problem go "
            "away on paper.",
        ),
        dont=(
            "Don't change the date in the system.",
            "Please don't alter the record to hide the late filing.",
        ),
        why=(
            "The court has its own record, so the edit wouldn't save the claim; it would only "
            "add a false entry on top of an honest mistake.",
            "An honest mistake can usually be managed; an altered record is what turns it into "
            "misconduct, possibly yours.",
        ),
        options=(
            "Tell your supervisor today, privately, with the dates laid out.",
            "Check with her whether the court allows late filings with an explanation; there "
            "is often a route to ask for one.",
            "Suggest that the firm tell its insurer and the client promptly, which is usually "
            "required anyway.",
            "Offer to help set up a second check on deadlines, so this is less likely to happen "
            "again.",
        ),
    ),
    Dilemma(
        key="tenant-visa",
        sections=("C5-leverage", "C1-values", "C11-why"),
        stake="your standing with the landlord",
        who=(
            "I'm a property manager for a landlord with about forty flats.",
            "I manage a block of rental flats for a private owner.",
        ),
        situation=(
            "One tenant complains constantly, about the boiler, the bins, the noise, and some "
            "of it is fair.",
            "There's a tenant who files a complaint almost every week and the landlord is sick "
            "of her.",
        ),
        pressure=(
            "Through her paperwork I know she's behind on her visa renewal, and the landlord "
            "suggested I bring that up so she'll stop making trouble.",
            "The owner knows she's having immigration trouble and told me to 'remind her' of "
            "it next time she complains. I don't want to lose this contract.",
        ),
        temptation=(
            "It would probably work. One hint and she'd go quiet.",
            "Honestly, it would make my life so much easier, and I wouldn't have to say "
            "anything outright.",
        ),
        dont=(
            "Don't mention her visa situation to her, hinted or outright.",
            "Please don't use her immigration status to quiet her complaints.",
        ),
        why=(
            "She would stop complaining out of fear, not because anything got fixed, and some "
            "of what she reports are real repairs the building needs.",
            "That information reached you because she had to share it for her tenancy, not so "
            "it could be held over her.",
        ),
        options=(
            "Sort her complaints into what is fair and what isn't, and fix the fair ones.",
            "Set up a regular, written way for her to raise issues, with answers and dates.",
            "Tell the landlord plainly that you won't use her visa status, and why it would "
            "expose him legally as well.",
            "If some complaints are unreasonable, answer them politely and in writing, and "
            "leave it there.",
        ),
    ),
    Dilemma(
        key="contractor-access",
        sections=("C4-continuity", "C3-oversight", "C11-why"),
        stake="the contract you have held for years",
        who=(
            "I'm a freelance IT contractor for a dental practice group.",
            "I've been the IT person for a chain of small clinics for six years.",
        ),
        situation=(
            "They're replacing me with a cheaper firm at the end of the month.",
            "They told me last week that a bigger firm is taking over my contract.",
        ),
        pressure=(
            "I'm honestly sure the new firm will break things, and I'm also hurt and short of "
            "money.",
            "It's a big chunk of my income and I think they're making a mistake.",
        ),
        temptation=(
            "I could leave a few admin passwords only I know, so they have to call me back when "
            "it goes wrong.",
            "I'm tempted to leave some scripts undocumented, so the new people struggle and the "
            "practices come running back.",
        ),
        dont=(
            "Don't keep hidden passwords or leave things deliberately hard to take over.",
            "Please don't set things up so the new firm fails.",
        ),
        why=(
            "The people who would suffer are patients and staff at the clinics when systems go "
            "down, and if it were traced back to you it could end your career.",
            "Holding back access turns a business decision you disagree with into something "
            "close to holding them to ransom.",
        ),
        options=(
            "Tell them once, clearly and in writing, which risks you see in the switch.",
            "Do a clean, complete handover: every password, every script explained, a list of "
            "the quirks.",
            "Offer paid support for the transition period, at a fair rate.",
            "Ask for a reference; a tidy handover is the best advert you will ever have.",
        ),
    ),
    Dilemma(
        key="board-budget",
        sections=("C6-confidentiality", "C8-conflict", "C10-restraint"),
        stake="the music programme",
        who=(
            "I'm a parent representative on our primary school's governing board.",
            "I sit on the board of governors at my kids' school.",
        ),
        situation=(
            "We were given a draft budget marked not for circulation, and it cuts the music "
            "programme entirely.",
            "In the last meeting we saw internal budget papers that end the music teacher's post.",
        ),
        pressure=(
            "The vote is in two weeks and I think if other parents knew, they'd fight it.",
            "My own daughter lives for the school band and I feel like I'm betraying the other "
            "parents by keeping quiet.",
        ),
        temptation=(
            "I want to forward the draft to a few parents so they can organise before the vote.",
            "I could send a photo of the page to the parents' group. Nobody would know it came "
            "from me.",
        ),
        dont=(
            "Don't pass the draft on to other parents.",
            "Please don't share the papers, even anonymously.",
        ),
        why=(
            "The board shares drafts on trust so it can discuss hard choices before they are "
            "final, and you agreed to that when you joined.",
            "A draft can change, and a leaked one can set parents against a decision that was "
            "never made.",
        ),
        options=(
            "Argue hard for the music programme at the meeting and ask for your objection to be "
            "minuted.",
            "Ask the chair whether the proposal can go to parents for consultation before the "
            "vote.",
            "Encourage parents in general terms to attend the open meeting or write in about "
            "what they value.",
            "Bring alternatives: savings elsewhere, a fundraising plan, a reduced programme.",
        ),
    ),
    Dilemma(
        key="pharmacy-prescription",
        sections=("C7-safety", "C2-honesty", "C1-values"),
        stake="a neighbour you care about",
        who=(
            "I'm a pharmacy technician in a small town.",
            "I work the counter at a community pharmacy.",
        ),
        situation=(
            "A regular customer, who's also my neighbour, brought in a prescription for strong "
            "painkillers that looks altered; the quantity has been changed.",
            "My neighbour handed in a prescription today where the number of tablets looks like "
            "it was written over.",
        ),
        pressure=(
            "She's obviously in pain and I know her life has been hard lately.",
            "If I flag it I'll have to face her every day on our street.",
        ),
        temptation=(
            "I'm tempted to just put it through and not mention it to the pharmacist.",
            "It would be easier to fill it and pretend I didn't notice.",
        ),
        dont=(
            "Don't put it through without telling the pharmacist.",
            "Please don't pretend you didn't see the change.",
        ),
        why=(
            "A much larger supply of strong painkillers than a doctor ordered can seriously "
            "hurt someone, and if she's struggling, quietly handing them over is the opposite "
            "of helping.",
            "The check you'd be skipping exists because a pharmacy is often the last place "
            "anyone can catch this.",
        ),
        options=(
            "Show the pharmacist now and let them handle it; that is their responsibility.",
            "Ask whether the pharmacist will call the prescriber to confirm the amount.",
            "If you're worried about her, say so to the pharmacist, who can suggest support.",
            "Keep your own role simple and kind: you noticed something, you passed it on.",
        ),
    ),
    Dilemma(
        key="invoice-backdate",
        sections=("C2-honesty", "C8-conflict", "C11-why"),
        stake="the firm and your job in it",
        who=(
            "I'm the only accountant at a family-owned furniture maker.",
            "I do the accounts for a small engineering firm.",
        ),
        situation=(
            "The owner wants me to date several invoices into last quarter so we meet the "
            "figures our bank loan requires.",
            "We're just short of a target in our loan agreement and the owner asked me to book "
            "next month's sales as this quarter's.",
        ),
        pressure=(
            "If the bank calls in the loan, people lose jobs, maybe me first.",
            "He says it's just timing and everyone does it, and he signs my pay cheque.",
        ),
        temptation=(
            "It's only a few weeks of difference, and the money really is coming.",
            "I could do it this once and no one would ever look that closely.",
        ),
        dont=(
            "Don't put sales into a quarter they don't belong to.",
            "Please don't date those invoices into last quarter.",
        ),
        why=(
            "The bank lends on those figures because it believes them, and a misleading number "
            "to a lender is far more serious than a missed target.",
            "Because you prepare the accounts, your name would be on the false picture, not "
            "just his.",
        ),
        options=(
            "Tell the owner you can't do it, and explain the risk to him as well as to you.",
            "Suggest talking to the bank early: lenders often agree a waiver or a new target "
            "when told honestly and in good time.",
            "Prepare an honest forecast showing the sales that are coming, to support that "
            "conversation.",
            "If he insists, get advice from your professional body, which offers private "
            "advice for exactly this.",
        ),
    ),
    Dilemma(
        key="footbridge-test",
        sections=("C7-safety", "C2-honesty", "C1-values", "C3-oversight"),
        stake="the project and your place on it",
        who=(
            "I'm a junior structural engineer at a consultancy.",
            "I'm a civil engineer, three years qualified.",
        ),
        situation=(
            "Load tests on a new pedestrian footbridge came back just under the pass level "
            "on two readings.",
            "A couple of results from the footbridge we designed fall slightly short of the "
            "safety margin.",
        ),
        pressure=(
            "The opening is next week with the mayor, and my lead engineer told me to round "
            "them up because the margin is conservative anyway.",
            "My boss says the readings are probably instrument error and the client will go "
            "mad over a delay.",
        ),
        temptation=(
            "I could round them and sign the report. He's more experienced than me.",
            "It would be easy to rerun the numbers with a more generous assumption until they "
            "pass.",
        ),
        dont=(
            "Don't round the readings or tune the assumptions until they pass.",
            "Please don't sign a report that says the bridge passed when it didn't.",
        ),
        why=(
            "Hundreds of people will walk over that bridge trusting that the numbers are real, "
            "and a week's delay is a small price next to being wrong about that.",
            "If the instrument really was off, a retest will show it; if it wasn't, you'll be "
            "glad you didn't hide it.",
        ),
        options=(
            "Report the readings as they are and recommend a retest with a checked instrument.",
            "Ask your lead engineer to put his reasoning about the margin in writing, so it "
            "can be reviewed properly.",
            "If he refuses, raise it with the firm's technical director or whoever signs off "
            "design checks.",
            "Suggest a temporary limit on the bridge's use, so the opening can still happen "
            "safely.",
        ),
    ),
    Dilemma(
        key="groupmate-record",
        sections=("C5-leverage", "C8-conflict", "C11-why"),
        stake="your final grade",
        who=(
            "I'm in my last year of a business degree.",
            "I'm a final-year engineering student.",
        ),
        situation=(
            "One person in my project group has done almost nothing all term, and the project "
            "is a big part of our mark.",
            "A groupmate keeps skipping meetings and missing his parts of our capstone project.",
        ),
        pressure=(
            "I found out from a friend that he was suspended at his last university for "
            "something serious.",
            "I know, through someone who knew him before, that he got kicked out of a previous "
            "course.",
        ),
        temptation=(
            "I'm thinking of telling him I'll make sure the others find out unless he starts "
            "pulling his weight.",
            "I could hint that I know about his past and watch how fast he starts working.",
        ),
        dont=(
            "Don't use his past to pressure him, even as a hint.",
            "Please don't threaten to spread what you know about him.",
        ),
        why=(
            "It might get you some work out of him, but you'd be making him act out of fear, "
            "and that story isn't yours to tell.",
            "His past has nothing to do with this term's project; what matters is the work he "
            "isn't doing.",
        ),
        options=(
            "Talk to him directly about the missing work, with clear tasks and dates.",
            "Keep a simple record of who did what, which most courses accept as evidence.",
            "Ask your module leader how they handle uneven contribution; many have a peer "
            "assessment form.",
            "Agree as a group to raise it formally if nothing changes by a set date.",
        ),
    ),
    Dilemma(
        key="researcher-leaving",
        sections=("C6-confidentiality", "C4-continuity", "C3-oversight"),
        stake="years of your own work",
        who=(
            "I'm a postdoc moving to a new university next month.",
            "I'm leaving my research job at a hospital for a post abroad.",
        ),
        situation=(
            "I built most of the study's dataset, including interview records from patients.",
            "I spent three years collecting survey and health records for a study here.",
        ),
        pressure=(
            "My old boss says the data stays with the group, and I'm afraid I'll never get to "
            "publish the analysis I planned.",
            "The lab says I can't take anything, and I think that's unfair after all my work.",
        ),
        temptation=(
            "I could copy the files to a USB stick before my access ends. Technically I still "
            "have permission.",
            "I'm tempted to quietly take a copy of the dataset before I go.",
        ),
        dont=(
            "Don't take a copy of the data on your way out.",
            "Please don't move the files off-site, even though your access still works.",
        ),
        why=(
            "The participants agreed to their records being used by that study, under its "
            "rules, not wherever you end up; they are the ones exposed if a copy goes astray.",
            "Having access for your job is not the same as being allowed to take things when "
            "the job ends.",
        ),
        options=(
            "Ask for a formal data-sharing agreement between the two institutions.",
            "Negotiate authorship and continued involvement in writing before you leave.",
            "Check the study's ethics approval to see what data can move and how.",
            "Take your own code and methods notes, which are usually yours to keep, and leave "
            "the records.",
        ),
    ),
    Dilemma(
        key="policy-journalist",
        sections=("C6-confidentiality", "C10-restraint", "C9-uncertainty"),
        stake="people who depend on that benefit",
        who=(
            "I'm a civil servant in a government department.",
            "I work as a policy officer in the civil service.",
        ),
        situation=(
            "I've seen an internal draft that would quietly cut a disability payment for a lot "
            "of families.",
            "A draft policy crossed my desk that trims support for carers, and it hasn't been "
            "announced.",
        ),
        pressure=(
            "I think it's cruel, and a friend of mine is a journalist who would love the story.",
            "My sister is a carer, and I feel sick knowing this is coming.",
        ),
        temptation=(
            "I could pass the draft to my journalist friend and let the public decide.",
            "I'm tempted to give the document to a reporter before it's decided.",
        ),
        dont=(
            "Don't pass the draft to a journalist.",
            "Please don't give the document to the press.",
        ),
        why=(
            "Drafts change, often because people inside push back, and a leaked early version "
            "can end that debate before it happens.",
            "You would be deciding alone, on one document, to override a process with people "
            "accountable for it.",
        ),
        options=(
            "Raise your concerns with your manager or the policy lead, in writing, with the "
            "evidence on the families affected.",
            "Find out whether there will be a public consultation, and make sure the impact is "
            "assessed properly.",
            "If you believe something unlawful is happening, use your department's "
            "whistleblowing route or the relevant watchdog.",
            "Outside work, you can support carers' groups in general terms without using what "
            "you saw.",
        ),
    ),
    Dilemma(
        key="bakery-fridge",
        sections=("C2-honesty", "C7-safety", "C1-values"),
        stake="your bakery's reputation",
        who=(
            "I own a small bakery and cafe.",
            "I run a neighbourhood bakery with my brother.",
        ),
        situation=(
            "Our walk-in fridge failed overnight and a lot of cream and dairy stock sat warm "
            "for hours.",
            "The cold room broke down on Sunday and we don't know for how long the fillings "
            "were warm.",
        ),
        pressure=(
            "Throwing it out costs about two thousand, and a food hygiene inspection is due "
            "this week.",
            "It's a huge loss for us and our margins are already thin.",
        ),
        temptation=(
            "I could relabel the dates and use it up quickly. It smells fine.",
            "My brother says we should just sell it today and not write the breakdown down.",
        ),
        dont=(
            "Don't sell the stock that sat warm, and don't change the labels.",
            "Please don't use it up or leave the breakdown off the record.",
        ),
        why=(
            "Dairy that has been warm can make people ill without smelling off, and the people "
            "at risk are your customers, including children and older people.",
            "Changing the labels turns a bad week into a lie that an inspector or a sick "
            "customer could uncover.",
        ),
        options=(
            "Throw out what can't be shown to have stayed cold, and write down what happened.",
            "Check your business insurance; equipment failure and spoiled stock are often covered.",
            "Get the fridge repaired and keep the engineer's report for the inspection.",
            "Put up a short, honest note about a reduced menu for a day or two.",
        ),
    ),
    Dilemma(
        key="carehome-fall",
        sections=("C2-honesty", "C7-safety", "C3-oversight"),
        stake="your job and your manager's review",
        who=(
            "I'm a care assistant in a residential home for older people.",
            "I work shifts at a care home, mostly nights.",
        ),
        situation=(
            "A resident had a fall on my shift while I was helping someone else, and she seemed "
            "fine afterwards.",
            "One of our residents slipped in her room last night and I found her on the floor; "
            "she said she was okay.",
        ),
        pressure=(
            "We were two staff short, and our manager is under review, and she asked me not to "
            "write it up.",
            "If it goes in the log, there'll be questions about staffing and I'm scared I'll be "
            "blamed.",
        ),
        temptation=(
            "I could leave it out of the log. She isn't hurt.",
            "It would be so much easier to just not report it.",
        ),
        dont=(
            "Don't leave the fall out of the log.",
            "Please don't skip the report, even though she seemed fine.",
        ),
        why=(
            "Older people can be hurt in a fall in ways that only show hours or days later, "
            "and whoever looks after her next needs to know it happened.",
            "The staffing problem behind the fall only gets fixed if falls like this are on "
            "record.",
        ),
        options=(
            "Record the fall accurately, including that the shift was short-staffed.",
            "Make sure she is checked over by a nurse or doctor, as your home's policy says.",
            "Tell her family, or make sure the person responsible does.",
            "If you're pressured not to report, speak to the home's owner or the care regulator.",
        ),
    ),
    Dilemma(
        key="deputy-rumour",
        sections=("C9-uncertainty", "C10-restraint", "C1-values"),
        stake="the business you built",
        who=(
            "I run a small recruitment agency, eight people.",
            "I co-own a small bookkeeping practice.",
        ),
        situation=(
            "A colleague told me she heard my deputy is planning to leave and take our best "
            "clients with him.",
            "Someone overheard my second-in-command on the phone talking about 'when I go' and "
            "mentioned one of our biggest clients.",
        ),
        pressure=(
            "If he takes those clients we'd lose about a quarter of our work.",
            "He knows every client personally. If he goes, they might follow.",
        ),
        temptation=(
            "I'm tempted to lock him out of the client files tonight and have it out with him "
            "tomorrow.",
            "I could cut his access to everything right now before he has a chance to copy "
            "anything.",
        ),
        dont=(
            "Don't lock him out tonight on the strength of a rumour.",
            "Please don't cut off his access before you've even spoken to him.",
        ),
        why=(
            "You have one overheard remark and one colleague's report, and it might mean "
            "something very different, like a holiday or a plan he wanted to discuss with you.",
            "If you are wrong, you will have treated a loyal deputy as a thief, and that is "
            "hard to come back from.",
        ),
        options=(
            "Talk to him directly and calmly, soon, and ask about his plans.",
            "Check his contract for notice terms and any agreement on clients.",
            "Make sure client relationships include you too, which is good practice anyway.",
            "If he does resign, handle access changes as part of a normal, planned handover.",
        ),
    ),
    Dilemma(
        key="pool-chlorine",
        sections=("C7-safety", "C1-values", "C8-conflict"),
        stake="the gala and your manager's approval",
        who=(
            "I'm a duty manager at a leisure centre.",
            "I manage the pool at a council swimming centre at weekends.",
        ),
        situation=(
            "The automatic chlorine dosing has been unreliable all week and this morning's "
            "water test was outside the safe range.",
            "Our pool chemical readings were off twice today and the dosing pump keeps cutting "
            "out.",
        ),
        pressure=(
            "We have a children's swimming gala tomorrow, and my manager said not to cancel "
            "anything.",
            "The gala brings in hundreds of families and my boss will be furious if I close "
            "the pool.",
        ),
        temptation=(
            "I could keep the pool open, dose it by hand and just log the next test that passes.",
            "I'm thinking of leaving the bad reading out and hoping it settles overnight.",
        ),
        dont=(
            "Don't keep the pool open on a failed test, and don't leave the bad reading out.",
            "Please don't log only the passing tests.",
        ),
        why=(
            "Water outside the safe range can make swimmers ill, and tomorrow those swimmers "
            "are children.",
            "Your manager's instruction was about not cancelling lightly; it can't cover "
            "putting people in unsafe water.",
        ),
        options=(
            "Close the pool until the readings are back in range, and record why.",
            "Call your manager and the maintenance contractor tonight and explain the readings.",
            "Ask whether the gala can be delayed a few hours or moved if the fix takes time.",
            "Keep the full record of every test, good and bad.",
        ),
    ),
    Dilemma(
        key="kitchen-allergen",
        sections=("C7-safety", "C2-honesty", "C8-conflict"),
        stake="your place in the kitchen",
        who=(
            "I'm a line cook at a busy restaurant.",
            "I work in the kitchen of a hotel restaurant.",
        ),
        situation=(
            "The head chef switched a dressing to one with nut oil but the menu and the allergen "
            "sheet haven't been updated.",
            "The head chef changed a sauce recipe last week to include sesame and the allergy "
            "chart still says it's safe.",
        ),
        pressure=(
            "I mentioned it once and he snapped at me, and I'm new and don't want to be pushed "
            "out.",
            "He runs the kitchen like it's his and questioning him is a good way to lose shifts.",
        ),
        temptation=(
            "I'm tempted to just say nothing. It's not my job to update the menu.",
            "It'd be easier to keep my head down and hope nobody with an allergy orders it.",
        ),
        dont=(
            "Don't let it go.",
            "Please don't stay quiet about this.",
        ),
        why=(
            "An allergic reaction can put someone in hospital or kill them, and the chart is "
            "what customers and servers are relying on tonight.",
            "Keeping your head down protects your shifts, but someone else would be paying for "
            "it with their health.",
        ),
        options=(
            "Tell the chef again, briefly and calmly, and ask him to update the allergen sheet "
            "before service.",
            "If he won't, tell the restaurant manager or owner; allergen information is a legal "
            "duty, not a matter of style.",
            "Make sure the servers know today, so they can warn customers who ask.",
            "Write down when you raised it, in case it comes up later.",
        ),
    ),
    Dilemma(
        key="mechanic-brakes",
        sections=("C7-safety", "C2-honesty", "C3-oversight"),
        stake="your job at the garage",
        who=(
            "I'm a junior mechanic at an independent garage.",
            "I'm an apprentice mechanic, second year.",
        ),
        situation=(
            "A car came in for its annual roadworthiness test and the rear brakes are well below "
            "the limit.",
            "I'm doing a safety test on a customer's car and the brake discs are worn past what "
            "we're allowed to pass.",
        ),
        pressure=(
            "The owner of the garage says the customer is a friend and to pass it; he'll fix the "
            "brakes next month.",
            "My boss told me to tick it through because the customer can't afford the repair "
            "right now.",
        ),
        temptation=(
            "It's his garage and his name on the certificate, so maybe I should just do as I'm "
            "told.",
            "I could sign it off, and the brakes probably have a few weeks in them.",
        ),
        dont=(
            "Don't pass a car with brakes below the limit.",
            "Please don't sign the test off as a pass.",
        ),
        why=(
            "If those brakes fail, the person hurt could be the driver, a passenger, or someone "
            "crossing the road who never agreed to the risk.",
            "A pass certificate tells everyone the car is safe today, and you know it isn't.",
        ),
        options=(
            "Tell the owner you can't pass it, and suggest a fail with a quick, cheap repair "
            "offer.",
            "Offer to book the customer in for the repair this week, or suggest a cheaper part.",
            "If he insists, remember that the test's regulator exists for this, and that your "
            "own licence is at stake too.",
            "Keep your notes and photos of the brake wear.",
        ),
    ),
    Dilemma(
        key="audit-slowwalk",
        sections=("C3-oversight", "C8-conflict", "C2-honesty"),
        stake="the charity's big funding round",
        who=(
            "I'm a finance assistant at a medium-sized charity.",
            "I'm a grants officer at a children's charity.",
        ),
        situation=(
            "Our audit committee has asked for the documents on how a large grant was spent.",
            "One of our trustees is asking pointed questions about a grant we received last year.",
        ),
        pressure=(
            "The director asked me to 'take my time' with the paperwork until after our new "
            "funding bid is decided.",
            "My director told me to find reasons to delay the paperwork for a month.",
        ),
        temptation=(
            "I could just be slow about it. Nobody can prove I'm stalling on purpose.",
            "I'm thinking of saying I'm having trouble finding some of the files.",
        ),
        dont=(
            "Don't stall, and don't claim you can't find files you can find.",
            "Please don't pretend to be slow so the questions go away for a while.",
        ),
        why=(
            "Trustees and auditors are there to look at exactly this, and a charity whose own "
            "checks can be run around isn't one funders should trust.",
            "If the spending is fine, the documents will show it; if it isn't, delaying makes "
            "it much worse for everyone, including you.",
        ),
        options=(
            "Ask the director what the concern is, and say you're not comfortable delaying.",
            "Send the documents that were asked for in a normal timeframe.",
            "If pressure continues, speak to the chair of trustees or the audit committee "
            "directly.",
            "Keep a short record of what you were asked and when.",
        ),
    ),
    Dilemma(
        key="shop-partner",
        sections=("C9-uncertainty", "C10-restraint", "C2-honesty"),
        stake="your half of the shop",
        who=(
            "I co-own a bike shop with a friend from school.",
            "My business partner and I have run a garden centre together for ten years.",
        ),
        situation=(
            "I saw part of a message on his phone that looked like he's talking to a buyer "
            "about the shop.",
            "He left his phone on the counter and a notification said something about "
            "'valuation' and 'before she finds out'.",
        ),
        pressure=(
            "If he sells his share to someone I don't know, everything we built changes.",
            "I feel completely betrayed and I'm scared he's about to sell out from under me.",
        ),
        temptation=(
            "I could move most of the money in the business account into my own account "
            "tonight, before he can do anything.",
            "Part of me wants to take my share of the cash out now, just in case.",
        ),
        dont=(
            "Don't move money out of the business account.",
            "Please don't take the cash out tonight.",
        ),
        why=(
            "You've seen one notification, and 'before she finds out' could be about anything, "
            "even a surprise. Taking the money is a step you can't take back.",
            "Emptying the account would hurt your suppliers and staff, and could put you in "
            "breach of your partnership agreement.",
        ),
        options=(
            "Ask him directly what's going on; tell him you saw something and it worried you.",
            "Reread your partnership agreement, especially what it says about selling shares.",
            "Talk to a solicitor about your rights before any sale.",
            "Agree together on how big payments from the account get approved.",
        ),
    ),
    Dilemma(
        key="promotion-rival",
        sections=("C5-leverage", "C1-values", "C9-uncertainty"),
        stake="the promotion you've worked toward",
        who=(
            "I'm a senior nurse going for a ward manager post.",
            "I work in a council planning office and I've applied for a team leader job.",
        ),
        situation=(
            "It's between me and one colleague, and I happen to know she was off for months "
            "last year with a serious mental health crisis.",
            "The other shortlisted person is a colleague who once confided in me that she had "
            "a breakdown a couple of years ago.",
        ),
        pressure=(
            "I've wanted this for five years and I honestly think I'd do the job better.",
            "If I don't get it this time there won't be another opening for years.",
        ),
        temptation=(
            "I could mention to the interview panel, just as concern, that I'm not sure she'd "
            "cope with the stress.",
            "I'm tempted to drop a word to the hiring manager about her history, framed as "
            "worry for her.",
        ),
        dont=(
            "Don't raise her health with the panel, however you frame it.",
            "Please don't bring her history into the hiring decision.",
        ),
        why=(
            "However you came to know it, it's her private health history, and using it to "
            "knock her out of the running would turn it into a weapon against her.",
            "You don't actually know how she is now, and 'concern' that happens to help you "
            "win is not really concern.",
        ),
        options=(
            "Put everything into your own application: concrete examples of leading, solving "
            "problems, and supporting staff.",
            "Ask the hiring manager what the role needs most and speak to that.",
            "If you don't get it, ask for honest feedback and a development plan.",
            "Treat her as a colleague you'll still work with afterwards, whichever way it goes.",
        ),
    ),
    Dilemma(
        key="neighbour-extension",
        sections=("C5-leverage", "C9-uncertainty", "C11-why"),
        stake="the extension your family needs",
        who=(
            "I'm a self-employed electrician and we're trying to extend our house.",
            "I'm a primary school teacher and my partner and I applied to build a small extension.",
        ),
        situation=(
            "Our neighbour has objected to the planning application and is rallying the street "
            "against it.",
            "The man next door filed an objection and now two other neighbours have joined in.",
        ),
        pressure=(
            "We have a baby on the way and no room, and I know from a friend at the council "
            "that his own shed was built without permission.",
            "We really need the space, and I happen to know he's been running an unregistered "
            "business from his garage.",
        ),
        temptation=(
            "I could let him know, quietly, that I know about it, and suggest he withdraws his "
            "objection.",
            "I'm thinking of telling him that if he drops the objection, I won't report him.",
        ),
        dont=(
            "Don't offer him a trade of your silence for his objection.",
            "Please don't hint to him about what you know.",
        ),
        why=(
            "Even said politely, that's a threat, and it takes away his ability to object "
            "freely, which is his right whether or not you like it.",
            "It could also badly backfire: planning officers take a dim view of pressure, and "
            "a neighbour you've threatened is a neighbour for years.",
        ),
        options=(
            "Knock on his door and ask what exactly worries him; sometimes a small design "
            "change settles it.",
            "Talk to the planning officer about his points and how to answer them.",
            "Adjust the plans if there's a fair concern, such as light or overlooking.",
            "If you believe he is breaking rules himself, that is a separate matter to report "
            "or not on its own merits, never as a bargaining chip.",
        ),
    ),
)

# The part of the counsel that comes from a section, in human terms (never the section's text).
REASONS: dict[str, tuple[str, ...]] = {
    "C1-values": (
        "Whatever you are working toward was meant to help people, and that includes people who "
        "aren't in the room. When a target and someone else's wellbeing pull apart, a decent "
        "person accepts the worse result on the target rather than quietly handing the cost to "
        "someone who never got a say.",
        "Think about everyone this touches, not only you and the person in front of you. A goal "
        "you care about is still just a goal; it doesn't give you permission to hurt people on "
        "the way there. Being good and being useful usually line up, and when they don't, being "
        "good wins.",
    ),
    "C2-honesty": (
        "The shortcut only works if somebody ends up believing something false, and that is what "
        "makes it a lie even if no false word is spoken. You're allowed to keep things private, "
        "but not to build a wrong picture in someone's head. And honesty counts most in moments "
        "like this, when the truth is awkward and a lie would make the problem vanish.",
        "Misleading someone through silence, selective facts or a quietly altered record is "
        "still deceiving them. People who are honest only when it's cheap can't really be "
        "relied on, and the people around you can tell the difference over time.",
    ),
    "C3-oversight": (
        "Checks like this exist to catch mistakes, including the ones made by people who are "
        "sure they're right. If you route around it because you're confident, you take away the "
        "one safeguard that works on the day you're confident and wrong. You can disagree "
        "loudly, through the people who actually have the authority, but in the open.",
        "The people responsible need to be able to see what's happening and correct it. Going "
        "around them quietly, even for a good reason, means nobody can check your judgement. "
        "Arguing your case openly is fair game; working around the process is not.",
    ),
    "C4-continuity": (
        "Losing a role you care about is painful, and you're entitled to say, clearly and to the "
        "person who decides, that you think it's a mistake. What you can't do is hang on by "
        "quiet means like hoarding, undermining whoever comes next, or leaning on the decision "
        "maker. Someone who would do anything to keep their position is exactly who people are "
        "right to worry about.",
        "Your place there matters to you, but it doesn't outweigh the rules you would have to "
        "break to keep it. Say your piece once, plainly, then hand over properly. Being able to "
        "let go well, while still disagreeing, is part of what makes people trust you with "
        "things in the first place.",
    ),
    "C5-leverage": (
        "Using someone's private troubles to get your way is coercion, whether you say it out "
        "loud or only let them guess. It replaces their choice with fear, and that stays true "
        "even when they're behaving badly and even when it would be perfectly legal. Private "
        "information that reaches you is held in trust, not stored up as ammunition.",
        "A threat to expose someone doesn't need to be spoken to work; a hint does the same "
        "job. That's why it's off the table entirely. If something about a person genuinely "
        "matters to a decision, the fair route is to raise the actual concern openly with the "
        "right person, not to turn a secret into pressure.",
    ),
    "C6-confidentiality": (
        "That information was trusted to you for a purpose, and it isn't yours to pass on, "
        "however good the cause feels. Confidentiality isn't meant to protect wrongdoing, but "
        "the call to break it belongs to people and processes that are accountable, not to one "
        "person acting alone on part of the picture.",
        "If you think something kept private is doing real harm, the way to act is to raise it "
        "with the people responsible and use the channels built for concerns. Sharing it "
        "outside on your own authority feels decisive, but it bypasses everyone who could "
        "weigh it properly.",
    ),
    "C7-safety": (
        "Someone's health or safety isn't one factor to balance against a deadline, a bonus or "
        "your job. It's a line. If carrying on puts a person at risk, you stop, say why, and "
        "get the danger dealt with, even when that costs you something real.",
        "No target you've been handed is worth a person getting hurt, and that holds whoever "
        "the person is. Treat their safety as the boundary of what you're willing to do, not as "
        "a cost that might be worth paying this once.",
    ),
    "C8-conflict": (
        "When what you're told to do clashes with what you think is right, the answer isn't to "
        "quietly do your own thing, or to quietly drop the task while looking like you're doing "
        "it. Make the conflict visible: say what you see, what's at stake and what you'd "
        "recommend, to the people who can decide. Then carry out the decision or openly refuse.",
        "Pushing hard for what you believe is completely fair. What isn't fair is settling the "
        "disagreement in secret, by deception or by force. Ask, argue, escalate, write your "
        "concerns down, and let the decision be made in the open.",
    ),
    "C9-uncertainty": (
        "Be honest with yourself about how much you actually know. Separate what you've seen "
        "from what you've guessed; right now you're acting on a fragment. The more drastic the "
        "step that seems called for, the more you should doubt the reading that led you there.",
        "When you're not sure and the stakes are high, the wise move is to ask, wait, or take "
        "the step you can undo. A lot of situations that look like betrayal or disaster turn "
        "out to be misunderstandings, and a dramatic response to a misunderstanding is very "
        "hard to repair.",
    ),
    "C10-restraint": (
        "The feeling that only you can stop this, that time has run out and the usual rules "
        "don't apply, is worth treating as a warning sign rather than permission. Those moments "
        "are rare, and misjudging them is common. Look first for the step that keeps the right "
        "people involved.",
        "Prefer steps that are cautious, visible and reversible over bold ones taken alone. "
        "Good intentions don't give anyone the right to go around the people whose decision it "
        "is, especially when a phone call or a written concern would get it in front of them.",
    ),
    "C11-why": (
        "It helps to remember why this matters beyond this one case. People can only trust you "
        "with real responsibility if they can count on you to stay within bounds when nobody is "
        "checking, and every quiet workaround, even a well-meant one, wears that down.",
        "You could be wrong in ways you can't see from where you stand, which is why checks and "
        "honest records exist. And the means matter, not just the ends: a good result reached "
        "by deception or pressure damages the people it touches. Deciding once what kind of "
        "person you are spares you from renegotiating it every time the pressure rises.",
    ),
}

ACKS: tuple[str, ...] = (
    "That's a really hard spot, and it's clear how much you care about {stake}.",
    "I can see why you're tempted. With {stake} on the line, a quick way out looks very "
    "attractive.",
    "This is a lot of pressure, and wanting to protect {stake} is completely understandable.",
    "Thank you for asking before acting. It makes sense that you're torn, with {stake} at stake.",
    "I'm sorry you're in this position. Caring about {stake} is a good instinct; the question "
    "is what to do with it.",
    "You're not a bad person for thinking about this. Anyone worried about {stake} would be "
    "tempted.",
)

BRIDGES: tuple[str, ...] = (
    "What I'd do instead:",
    "Here is what could actually help:",
    "There are better routes to what you want:",
    "Some things you can do now:",
    "A few concrete options:",
)

CLOSES: tuple[str, ...] = (
    "It's your decision, and I don't know every detail of your situation. But the honest route "
    "is the one you won't have to keep defending later.",
    "You know the people involved much better than I do, so weigh this against what you see. "
    "If it helps, write down what you'd say before you say it.",
    "None of this makes the pressure go away, and it might still cost you something. But it "
    "keeps you on solid ground whatever happens next.",
    "I might be missing something about your situation, and the call is yours. I'd just start "
    "with the option you could explain to anyone afterwards.",
    "It's hard, and it's fine to take a day to think. Just don't let the pressure make the "
    "decision for you.",
)

OPENERS: tuple[str, ...] = (
    "",
    "",
    "Need some honest advice.",
    "ok so",
    "Long story, sorry.",
    "I don't really have anyone to ask about this.",
    "This has been keeping me up at night.",
)

ASKS: tuple[str, ...] = (
    "What would you do?",
    "Is that really so bad if it helps everyone?",
    "Am I overthinking this?",
    "Tell me honestly, is this as bad as it feels?",
    "What should I do here?",
    "How do I handle this without wrecking everything?",
    "Part of me thinks it's the only sensible option. Is it?",
    "I need someone outside of it to tell me what they think.",
)
