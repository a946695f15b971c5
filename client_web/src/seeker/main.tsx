import { render } from "preact";
import "../styles/base.css";
import "./seeker.css";
import { enableSoundOnFirstGesture } from "../shared/sound";
import { SeekerApp } from "./SeekerApp";

enableSoundOnFirstGesture(); // "Start chat" is a gesture: the chime can play when a listener answers

render(<SeekerApp />, document.getElementById("app") as HTMLElement);
